using System.Net;
using System.Text.RegularExpressions;

namespace Press.Manager.Tests.Harness;

/// <summary>The login page as a browser uses it: fetch it (with its anti-forgery token), post the local form.</summary>
public static partial class LoginForm
{
    public static async Task<string> AntiforgeryTokenAsync(HttpClient browser, string page = "/login")
    {
        var html = await (await browser.GetAsync(page)).Content.ReadAsStringAsync();
        return TokenInput().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException("no anti-forgery token in " + html);
    }

    public static async Task<HttpResponseMessage> PostLocalAsync(HttpClient browser, string user, string password, string? returnUrl = null,
        bool withToken = true)
    {
        var fields = new Dictionary<string, string> { ["userName"] = user, ["password"] = password, ["returnUrl"] = returnUrl ?? "/" };
        if (withToken) fields["__RequestVerificationToken"] = await AntiforgeryTokenAsync(browser);
        return await browser.PostAsync("/login?handler=Local", new FormUrlEncodedContent(fields));
    }

    public static async Task<HttpResponseMessage> LogoutAsync(HttpClient browser)
    {
        var token = await AntiforgeryTokenAsync(browser, "/logout");
        return await browser.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();
}
