using System.Text.Json;

namespace Press.Core.Identity;

/// <summary>
/// Turns the roles an IdP puts in a token into one Press role: the value at <see cref="OidcOptions.RolesClaim"/> (a dotted
/// path through the token's JSON payload, whose last step is an array of strings or one string) is matched against
/// <see cref="OidcOptions.RoleMap"/>, and the highest Press role granted wins. No match: no role, and no login.
/// </summary>
public static class RoleMapping
{
    /// <summary>The IdP's roles found at <paramref name="path"/> in <paramref name="payload"/> (empty when absent).</summary>
    public static IReadOnlyList<string> IdpRoles(JsonElement payload, string path)
    {
        var node = payload;
        // A claim name may itself contain dots (client ids often do): try the longest name first at each level.
        var parts = path.Split('.');
        for (var i = 0; i < parts.Length;)
        {
            if (node.ValueKind != JsonValueKind.Object) return [];
            var found = false;
            for (var j = parts.Length; j > i; j--)
            {
                if (!node.TryGetProperty(string.Join('.', parts[i..j]), out var next)) continue;
                node = next;
                i = j;
                found = true;
                break;
            }
            if (!found) return [];
        }
        return node.ValueKind switch
        {
            JsonValueKind.Array => node.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList(),
            JsonValueKind.String => node.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            _ => [],
        };
    }

    /// <summary>The highest Press role any of <paramref name="idpRoles"/> grants; null when none does.</summary>
    public static string? PressRole(IEnumerable<string> idpRoles, IReadOnlyDictionary<string, string> roleMap)
    {
        var held = idpRoles.ToHashSet(StringComparer.Ordinal);
        foreach (var role in Roles.All) // highest first
        {
            var granting = roleMap.FirstOrDefault(p => string.Equals(p.Key, role, StringComparison.OrdinalIgnoreCase)).Value is { } list
                ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [role];
            if (granting.Any(held.Contains)) return role;
        }
        return null;
    }

    public static string? PressRole(JsonElement payload, OidcOptions options) =>
        PressRole(IdpRoles(payload, options.RolesClaim), options.RoleMap);
}
