using System.Text.Json;
using System.Text.Json.Nodes;
using Press.Core.Ports;
using Press.Core.Sso;

namespace Press.Infrastructure.Bench;

/// <summary>
/// The site's Frappe <c>Social Login Key</c> for Press's issuer, as data (docs/frappe.md §5; fields of
/// frappe/integrations/doctype/social_login_key/social_login_key.json, rules of its .py <c>validate</c>). A "Custom"
/// provider named "Press" (doc name "press", so Frappe's callback is <c>…oauth2_logins.custom/press</c>), with the
/// issuer's absolute endpoints (custom_base_url 0: Frappe then uses them as given), userinfo as the API endpoint,
/// the subject as the user id, and sign-ups denied: a person of Press's realm logs into a site only as a user the
/// site already has (same e-mail); Frappe's local logins stay as the fallback.
/// </summary>
public static class SocialLoginKey
{
    public const string Doctype = "Social Login Key";

    /// <summary>The file bench reads the doc from, in the site folder; removed right after (it holds the client secret).</summary>
    public const string FileName = ".press-social-login-key.json";

    public static JsonObject Doc(SocialLogin login) => new()
    {
        ["doctype"] = Doctype,
        ["provider_name"] = SiteSsoClient.ProviderName,
        ["social_login_provider"] = "Custom",
        ["enable_social_login"] = 1,
        ["client_id"] = login.ClientId,
        ["client_secret"] = login.ClientSecret,
        ["custom_base_url"] = 0,
        ["base_url"] = login.Issuer.Issuer,
        ["authorize_url"] = login.Issuer.AuthorizationEndpoint,
        ["access_token_url"] = login.Issuer.TokenEndpoint,
        ["redirect_url"] = SiteSsoClient.CallbackPath,
        ["api_endpoint"] = login.Issuer.UserinfoEndpoint,
        ["auth_url_data"] = JsonSerializer.Serialize(new { response_type = "code", scope = "openid email profile" }),
        ["user_id_property"] = "sub",
        ["sign_ups"] = "Deny",
    };

    public static string Serialize(SocialLogin login) => Doc(login).ToJsonString();
}
