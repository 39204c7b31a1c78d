using System.Collections.Concurrent;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Press.Infrastructure.Tests.Deployment;

/// <summary>The published JSON Schemas in <c>tests/schemas</c> (origins in SOURCES.md there), read once each.</summary>
internal static class JsonSchemas
{
    public const string Compose = "compose-spec.json";
    public const string TraefikStatic = "traefik-v3.json";
    public const string TraefikFileProvider = "traefik-v3-file-provider.json";

    private static readonly ConcurrentDictionary<string, Lazy<JsonSchema>> Loaded = new();

    public static JsonSchema Get(string file) => Loaded.GetOrAdd(file, f => new Lazy<JsonSchema>(() =>
    {
        var path = Path.Combine(DeploymentPaths.Schemas, f);
        if (!File.Exists(path))
            throw new FileNotFoundException($"schema {f} not found at {path} (tests/schemas holds the published schemas; see SOURCES.md there)", path);
        // NJsonSchema resolves references into "definitions" but not into "$defs" (traefik-v3.json uses $defs).
        // Renaming that one container, in memory only, changes no rule: a JSON Pointer names a place, whatever
        // its keyword. Every other byte is the published schema's.
        var json = File.ReadAllText(path).Replace("\"$defs\"", "\"definitions\"").Replace("\"#/$defs/", "\"#/definitions/");
        return JsonSchema.FromJsonAsync(json, path).GetAwaiter().GetResult();
    })).Value;

    /// <summary>Every validation error, nested ones included, one line each ("path: kind").</summary>
    public static IReadOnlyList<string> Errors(string schemaFile, JToken document) =>
        Flatten(Get(schemaFile).Validate(document)).ToList();

    public static void AssertValid(string schemaFile, JToken document, string what)
    {
        var errors = Errors(schemaFile, document);
        Assert.True(errors.Count == 0,
            $"{what} does not validate against {schemaFile} ({errors.Count} errors):\n  " + string.Join("\n  ", errors));
    }

    private static IEnumerable<string> Flatten(IEnumerable<ValidationError> errors, string indent = "")
    {
        foreach (var error in errors)
        {
            yield return $"{indent}{error.Path ?? "#"}: {error.Kind}{(error.Property is null ? "" : $" ({error.Property})")}";
            if (error is ChildSchemaValidationError child)
                foreach (var line in Flatten(child.Errors.SelectMany(e => e.Value), indent + "  "))
                    yield return line;
        }
    }
}
