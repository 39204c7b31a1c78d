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
                if (!PressSettings.Validators.TryGetValue(key, out var validate))
                    body.Add("key", $"Unknown setting '{key}': known settings are {string.Join(", ", PressSettings.Validators.Keys)}.");
                else if (value is not null && validate(value) is { } problem)
                    body.Add("value", $"'{key}' {problem}.");
                if (body.Problems.Count > 0) return Problems.Invalid(body.Problems);

                await store.SetAsync(key, value!, http.Actor().Name, ct);
                await audit.WriteAsync(http.Actor().Did("setting.set", target: key,
                    details: new Dictionary<string, string> { ["value"] = value! }), ct);
                return Results.Ok(new SettingDto(key, value!, false));
            })
            .RequireAuthorization(Policies.Admin).DocumentsJsonBody<SetSettingRequest>()
            .Produces<SettingDto>().ProducesValidationProblem()
            .WithSummary("Change a setting (admin).");
    }
}
