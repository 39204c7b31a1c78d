using System.Text.Json;
using System.Text.Json.Nodes;
using Press.Core.Sites;
using Press.Core.Tenancy;
using Press.Infrastructure.Bench;

namespace Press.Infrastructure.Tests.Bench;

/// <summary>site_config.json as Press writes it before bench new-site (docs/frappe.md §1). No database needed.</summary>
public sealed class SiteConfigTests
{
    private const string Identifier = "t_abcdefghijklmnopqrst";
    private const string DatabasePassword = "DbPw23456789abcdefghijkmnopqrstuvwxyzAB";
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static Site NewSite(string name = "erp.example.com", int? runnerPort = 48601, string identifier = Identifier) =>
        new(Guid.NewGuid(), name, SiteState.Installing, new TenantLocation("press_sites", identifier), identifier,
            [1, 2, 3], ["erpnext"], Now, Now, null, null, null) { RunnerPort = runnerPort };

    private const string Socket = "/run/press-redis/redis.sock";

    private static JsonObject Build(Site site) => SiteConfig.Build(site, DatabasePassword, "127.0.0.1", 48510, Socket, "https://" + site.Name);

    [Fact]
    public void Build_writes_exactly_the_database_keys_the_sites_own_Redis_for_cache_and_queue_and_its_URL()
    {
        var config = Build(NewSite());

        Assert.Equal(
            """{"db_type":"postgres","db_host":"127.0.0.1","db_port":48510,"db_name":"press_sites","db_user":"t_abcdefghijklmnopqrst","db_password":"DbPw23456789abcdefghijkmnopqrstuvwxyzAB","db_schema":"t_abcdefghijklmnopqrst","redis_cache":"unix:///run/press-redis/redis.sock?db=0","redis_queue":"unix:///run/press-redis/redis.sock?db=1","redis_socketio":"unix:///run/press-redis/redis.sock?db=1","host_name":"https://erp.example.com"}""",
            config.ToJsonString());
    }

    [Fact]
    public void The_keys_are_exactly_those_Frappe_needs_in_order()
    {
        var config = Build(NewSite());

        Assert.Equal(["db_type", "db_host", "db_port", "db_name", "db_user", "db_password", "db_schema", "redis_cache", "redis_queue", "redis_socketio", "host_name"],
            config.Select(p => p.Key));
        Assert.Equal(SiteConfig.PressKeys, config.Select(p => p.Key));
    }

    [Fact]
    public void The_Redis_keys_are_the_sites_own_socket_with_socketio_on_the_queue_database()
    {
        Assert.Equal(
        [
            new("redis_cache", "unix:///run/press-redis/redis.sock?db=0"),
            new("redis_queue", "unix:///run/press-redis/redis.sock?db=1"),
            new KeyValuePair<string, string>("redis_socketio", "unix:///run/press-redis/redis.sock?db=1"),
        ], SiteConfig.RedisKeys(Socket));
    }

    [Theory]
    [InlineData("relative/redis.sock")]
    [InlineData("")]
    public void A_Redis_socket_path_must_be_absolute(string socket)
    {
        Assert.Throws<ArgumentException>(() => SiteConfig.RedisUrl(socket, 0));
    }

    [Fact]
    public void A_Redis_socket_path_must_fit_a_unix_socket_address()
    {
        Assert.Equal("unix:///" + new string('a', 106) + "?db=1", SiteConfig.RedisUrl("/" + new string('a', 106), 1));
        Assert.Throws<ArgumentException>(() => SiteConfig.RedisUrl("/" + new string('a', 107), 1));
    }

    [Fact]
    public void db_port_is_a_JSON_number_and_every_other_value_a_string()
    {
        var config = Build(NewSite());

        Assert.Equal(JsonValueKind.Number, config["db_port"]!.GetValueKind());
        Assert.Equal(48510, config["db_port"]!.GetValue<int>());
        Assert.All(config.Where(p => p.Key != "db_port"), p => Assert.Equal(JsonValueKind.String, p.Value!.GetValueKind()));
    }

    [Fact]
    public void The_database_host_and_port_passed_in_are_used()
    {
        var config = SiteConfig.Build(NewSite(), DatabasePassword, "db.internal", 5433, Socket, "https://erp.example.com");

        Assert.Equal("db.internal", (string?)config["db_host"]);
        Assert.Equal(5433, config["db_port"]!.GetValue<int>());
    }

    [Fact]
    public void Two_sites_get_their_own_user_and_schema_and_share_the_database()
    {
        var a = Build(NewSite("a.example.com", 48601, "t_aaaaaaaaaaaaaaaaaaaa"));
        var b = Build(NewSite("b.example.com", 48602, "t_bbbbbbbbbbbbbbbbbbbb"));

        Assert.Equal((string?)a["db_name"], (string?)b["db_name"]);
        Assert.NotEqual((string?)a["db_user"], (string?)b["db_user"]);
        Assert.NotEqual((string?)a["db_schema"], (string?)b["db_schema"]);
    }

    [Fact]
    public void Serialize_is_indented_JSON_ending_in_a_newline_that_reads_back_the_same()
    {
        var config = Build(NewSite());

        var text = SiteConfig.Serialize(config);

        Assert.EndsWith("}\n", text);
        Assert.StartsWith("{\n  \"db_type\": \"postgres\",", text.ReplaceLineEndings("\n"));
        Assert.True(JsonNode.DeepEquals(config, JsonNode.Parse(text)));
    }

    // ---- merged, never replaced (docs/frappe.md §7) ----

    private static JsonObject Json(string text) => (JsonObject)JsonNode.Parse(text)!;

    [Fact]
    public void Merge_keeps_every_key_of_the_file_and_sets_Press_keys_on_top()
    {
        var press = Build(NewSite());
        var onDisk = Json("""{"db_password":"old","encryption_key":"k1","mail_server":"smtp.example.com","maintenance_mode":0,"db_host":"gone"}""");

        var merged = SiteConfig.Merge(press, onDisk, kept: Json("""{"encryption_key":"k0","stale":"x"}"""));

        Assert.Equal("""{"encryption_key":"k1","mail_server":"smtp.example.com","maintenance_mode":0,"db_type":"postgres","db_host":"127.0.0.1","db_port":48510,"db_name":"press_sites","db_user":"t_abcdefghijklmnopqrst","db_password":"DbPw23456789abcdefghijkmnopqrstuvwxyzAB","db_schema":"t_abcdefghijklmnopqrst","redis_cache":"unix:///run/press-redis/redis.sock?db=0","redis_queue":"unix:///run/press-redis/redis.sock?db=1","redis_socketio":"unix:///run/press-redis/redis.sock?db=1","host_name":"https://erp.example.com"}""",
            merged.ToJsonString());
    }

    [Fact]
    public void Without_a_file_the_kept_copy_supplies_the_sites_own_keys_but_never_Press_keys()
    {
        var merged = SiteConfig.Merge(Build(NewSite()), onDisk: null, kept: Json("""{"encryption_key":"k0","db_password":"from-another-site","limits":{"space":1}}"""));

        Assert.Equal("k0", (string?)merged["encryption_key"]);
        Assert.Equal(DatabasePassword, (string?)merged["db_password"]);
        Assert.Equal(1, merged["limits"]!["space"]!.GetValue<int>());
    }

    [Fact]
    public void A_file_that_lost_its_encryption_key_gets_the_kept_one_back_and_nothing_else_of_the_copy()
    {
        var merged = SiteConfig.Merge(Build(NewSite()), onDisk: Json("""{"developer_mode":1}"""), kept: Json("""{"encryption_key":"k0","removed_since":true}"""));

        Assert.Equal("k0", (string?)merged["encryption_key"]);
        Assert.Equal(1, merged["developer_mode"]!.GetValue<int>());
        Assert.False(merged.ContainsKey("removed_since"));
    }

    [Fact]
    public void OwnKeys_drops_exactly_Press_keys_so_no_database_password_is_kept()
    {
        var own = SiteConfig.OwnKeys(Json("""{"db_password":"secret","host_name":"https://x","encryption_key":"k","redis_queue":"unix:///q"}"""));

        Assert.Equal("""{"encryption_key":"k"}""", own.ToJsonString());
    }

    [Fact]
    public void DescribeWrite_names_keys_never_values()
    {
        var onDisk = Json("""{"encryption_key":"SECRETKEY"}""");
        var text = SiteConfig.DescribeWrite(SiteConfig.Merge(Build(NewSite()), onDisk, null), onDisk, null);

        Assert.Equal("Press's 11 keys set; the site's own keys kept from the file (encryption_key)", text);
        Assert.DoesNotContain("SECRETKEY", text);
    }
}
