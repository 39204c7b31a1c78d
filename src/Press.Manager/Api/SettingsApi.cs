using Press.Core.Ports;
using Press.Core.Settings;
using Press.Infrastructure.Postgres;
using Press.Manager.Auth;

namespace Press.Manager.Api;

public static class SettingsApi
{
    public static void MapSettingsApi(this IEndpointRouteBuilder api)
    {
        var settings = api.MapGroup("/settings").WithTags("Settings");

        settings.MapGet("", async (SettingsStore store, CancellationToken ct) =>
            {
                var stored = await store.ListAsync(ct);
                var defaults = PressSettings.DefaultValues;
                return Results.Ok(new ListDto<SettingDto>(PressSettings.Validators.Keys.Order()
                    .Select(k => stored.TryGetValue(k, out var v) ? new SettingDto(k, v, false) : new SettingDto(k, defaults[k], true)).ToList()));
            })
            .RequireAuthorization(Policies.Viewer).Produces<ListDto<SettingDto>>()
            .WithSummary("Runtime-editable settings with their current values.");

        settings.MapPut("/{key}", async (string key, HttpContext http, SettingsStore store, IAuditLog audit, CancellationToken ct) =>
            {
                var body = await RequestBody.ReadAsync(http.Request, ["value"], ct);
                var value = body.RequiredString("value", "\"30\"");
                if (value is not null)
                    foreach (var (field, problem) in Problems(key, value)) body.Add(field, problem);
                else if (!PressSettings.Validators.ContainsKey(key)) body.Add("key", UnknownKey(key));
                if (body.Problems.Count > 0) return Api.Problems.Invalid(body.Problems);
                await SetAsync(key, value!, http.Actor(), store, audit, ct);
                return Results.Ok(new SettingDto(key, value!, false));
            })
            .RequireAuthorization(Policies.Admin).DocumentsJsonBody<SetSettingRequest>()
            .Produces<SettingDto>().ProducesValidationProblem()
            .WithSummary("Change a setting (admin).");
    }

    /// <summary>What is wrong with setting <paramref name="key"/> to <paramref name="value"/> (field, problem); none when it may be set.</summary>
    public static IEnumerable<(string Field, string Problem)> Problems(string key, string value)
    {
        if (!PressSettings.Validators.TryGetValue(key, out var validate)) yield return ("key", UnknownKey(key));
        else if (validate(value) is { } problem) yield return ("value", $"'{key}' {problem}.");
    }

    /// <summary>Stores a validated value and audits it: the API's and the settings page's one write.</summary>
    public static async Task SetAsync(string key, string value, Core.Audit.Actor actor, SettingsStore store, IAuditLog audit, CancellationToken ct)
    {
        var previous = (await store.ListAsync(ct)).GetValueOrDefault(key);
        await store.SetAsync(key, value, actor.Name, ct);
        var details = new Dictionary<string, string> { ["value"] = value };
        if (previous is not null) details["previous"] = previous;
        await audit.WriteAsync(actor.Did("setting.set", target: key, details: details), ct);
    }

    private static string UnknownKey(string key) => $"Unknown setting '{key}': known settings are {string.Join(", ", PressSettings.Validators.Keys)}.";
}
