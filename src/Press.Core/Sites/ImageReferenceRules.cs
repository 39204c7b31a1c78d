using System.Text.RegularExpressions;

namespace Press.Core.Sites;

/// <summary>
/// Runner image references as the Docker engine accepts them: <c>[registry[:port]/]path[:tag][@sha256:digest]</c>, the
/// grammar of the distribution project's <c>reference/regexp.go</c>. Written here as one expression because Core takes
/// no Docker library (docs/architecture.md §2); the engine still has the last word when it pulls or creates.
/// </summary>
public static partial class ImageReferenceRules
{
    public const int MaxLength = 255;

    /// <summary>Every problem of <paramref name="image"/> for field <paramref name="field"/>, each saying how to fix it.</summary>
    public static IReadOnlyList<string> Validate(string? image, string field = "image")
    {
        if (string.IsNullOrWhiteSpace(image))
            return [$"'{field}' is required: the runner image to put the site on, e.g. 'ghcr.io/acme/erpnext:v16.1.0'."];
        if (image.Length > MaxLength)
            return [$"'{field}' is {image.Length} characters long; an image reference has at most {MaxLength}."];
        return Shape().IsMatch(image) ? []
            : [$"'{field}' '{Shorten(image)}' is not an image reference: use [registry/]name[:tag][@sha256:digest] with a lowercase name, e.g. 'frappe/erpnext:v16.1.0'."];
    }

    // domain (optional, with port) / lowercase path components separated by . _ __ - / ; tag ≤ 128 ; digest.
    [GeneratedRegex(@"^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?|localhost(?::[0-9]+)?)/)?" +
                    @"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*" +
                    @"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?\z")]
    private static partial Regex Shape();

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
