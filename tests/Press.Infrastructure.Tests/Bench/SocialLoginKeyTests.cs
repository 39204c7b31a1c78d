using System.Text.Json.Nodes;
using Press.Core.Ports;
using Press.Infrastructure.Bench;

namespace Press.Infrastructure.Tests.Bench;

/// <summary>The site's Social Login Key and the bench commands that write it, as exact data (docs/frappe.md §5).</summary>
public sealed class SocialLoginKeyTests
{
    private const string Site = "erp.example.com";
    private const string Secret = "s3cret-that-must-never-be-on-argv";
    private const string File = "/home/frappe/frappe-bench/sites/erp.example.com/.press-social-login-key.json";

    private static readonly SocialLogin Login = new(
        new IssuerEndpoints("https://sso.example.com/realms/press", "https://sso.example.com/realms/press/protocol/openid-connect/auth",
            "https://sso.example.com/realms/press/protocol/openid-connect/token", "https://sso.example.com/realms/press/protocol/openid-connect/userinfo"),
        "fcs-press-site-erp.example.com", Secret);

    [Fact]
    public void The_doc_is_a_custom_provider_named_press_with_the_issuers_absolute_endpoints()
    {
        var expected = JsonNode.Parse("""
            {"doctype":"Social Login Key","provider_name":"Press","social_login_provider":"Custom","enable_social_login":1,
             "client_id":"fcs-press-site-erp.example.com","client_secret":"s3cret-that-must-never-be-on-argv","custom_base_url":0,
             "base_url":"https://sso.example.com/realms/press",
             "authorize_url":"https://sso.example.com/realms/press/protocol/openid-connect/auth",
             "access_token_url":"https://sso.example.com/realms/press/protocol/openid-connect/token",
             "redirect_url":"/api/method/frappe.integrations.oauth2_logins.custom/press",
             "api_endpoint":"https://sso.example.com/realms/press/protocol/openid-connect/userinfo",
             "auth_url_data":"{\"response_type\":\"code\",\"scope\":\"openid email profile\"}",
             "user_id_property":"sub","sign_ups":"Deny"}
            """);

        Assert.True(JsonNode.DeepEquals(expected, SocialLoginKey.Doc(Login)), SocialLoginKey.Serialize(Login));
    }

    [Fact]
    public void The_commands_read_the_doc_from_a_file_so_no_argument_holds_the_secret()
    {
        var exists = BenchCommands.DocExists(Site, "Social Login Key", "press");
        var insert = BenchCommands.InsertDocFromFile(Site, File);
        var update = BenchCommands.UpdateDocFromFile(Site, "Social Login Key", "press", File);

        Assert.Equal(["bench", "--site", Site, "execute", "frappe.db.exists", "--args", "['Social Login Key', 'press']"], exists.Argv);
        Assert.Equal(["bench", "--site", Site, "execute", "frappe.client.insert", "--kwargs",
            "{'doc': frappe.get_file_json('/home/frappe/frappe-bench/sites/erp.example.com/.press-social-login-key.json')}"], insert.Argv);
        Assert.Equal(["bench", "--site", Site, "execute", "frappe.client.set_value", "--kwargs",
            "{'doctype': 'Social Login Key', 'name': 'press', 'fieldname': frappe.get_file_json('/home/frappe/frappe-bench/sites/erp.example.com/.press-social-login-key.json')}"],
            update.Argv);
        Assert.All(new[] { exists, insert, update }, c => Assert.DoesNotContain(c.Argv, a => a.Contains(Secret, StringComparison.Ordinal)));
        Assert.All(new[] { exists, insert, update }, BenchCommands.EnsureAllowed);
    }

    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("it's", "'it\\'s'")]
    [InlineData("back\\slash", "'back\\\\slash'")]
    public void Python_strings_escape_quotes_and_backslashes(string value, string literal) =>
        Assert.Equal(literal, BenchCommands.PythonString(value));

    [Fact]
    public void A_control_character_cannot_reach_a_python_literal() =>
        Assert.Throws<ArgumentException>(() => BenchCommands.PythonString("a\nb"));

    [Fact]
    public void The_secret_is_not_in_the_logins_text_form() =>
        Assert.DoesNotContain(Secret, Login.ToString(), StringComparison.Ordinal);
}
