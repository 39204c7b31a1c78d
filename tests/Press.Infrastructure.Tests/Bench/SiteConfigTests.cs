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

    private static JsonObject Build(Site site) => SiteConfig.Build(site, DatabasePassword, "127.0.0.1", 48510, Socket);

    [Fact]
    public void Build_writes_exactly_the_database_keys_and_the_sites_own_Redis_for_cache_and_queue()
    {
        var config = Build(NewSite());

        Assert.Equal(
            """{"db_type":"postgres","db_host":"127.0.0.1","db_port":48510,"db_name":"press_sites","db_user":"t_abcdefghijklmnopqrst","db_password":"DbPw23456789abcdefghijkmnopqrstuvwxyzAB","db_schema":"t_abcdefghijklmnopqrst","redis_cache":"unix:///run/press-redis/redis.sock?db=0","redis_queue":"unix:///run/press-redis/redis.sock?db=1","redis_socketio":"unix:///run/press-redis/redis.sock?db=1"}""",
            config.ToJsonString());
    }

    [Fact]
    public void The_keys_are_exactly_those_Frappe_needs_in_order()
    {
        var config = Build(NewSite());

        Assert.Equal(["db_type", "db_host", "db_port", "db_name", "db_user", "db_password", "db_schema", "redis_cache", "redis_queue", "redis_socketio"],
            config.Select(p => p.Key));
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
        var config = SiteConfig.Build(NewSite(), DatabasePassword, "db.internal", 5433, Socket);

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
}
