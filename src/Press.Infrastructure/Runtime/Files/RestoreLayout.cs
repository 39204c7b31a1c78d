using System.Text.RegularExpressions;
using Press.Core.Jobs;

namespace Press.Infrastructure.Runtime.Files;

/// <summary>
/// Where a site's uploaded files live and where a restore keeps its copies, as paths relative to the site folder
/// (docs/frappe.md §2). A restore's folders sit inside the site folder so that every move is a rename on one file system.
/// </summary>
public static partial class RestoreLayout
{
    public const string Root = ".press-restore";

    /// <summary>The two folders Frappe keeps uploads in: <c>public/files</c> and <c>private/files</c>.</summary>
    public static readonly IReadOnlyList<string> Areas = ["public", "private"];

    public static string Live(string area) => $"{area}/files";

    public static string Folder(string restoreId) => $"{Root}/{restoreId}";

    public static string Staging(string restoreId) => $"{Folder(restoreId)}/staged";

    public static string KeptPrevious(string restoreId) => $"{Folder(restoreId)}/previous";

    public static string Staged(string restoreId, string area) => $"{Staging(restoreId)}/{Live(area)}";

    public static string Previous(string restoreId, string area) => $"{KeptPrevious(restoreId)}/{Live(area)}";

    /// <summary>A restore id names folders: lower-case letters, digits and dashes, 1–40 of them.</summary>
    public static void ValidateRestoreId(string restoreId)
    {
        if (restoreId is null || !RestoreId().IsMatch(restoreId))
            throw new StepFailedException(FailureKind.Permanent,
                $"restore id '{restoreId}' is invalid: use 1–40 characters of a–z, 0–9 and '-'");
    }

    [GeneratedRegex(@"\A[a-z0-9-]{1,40}\z", RegexOptions.CultureInvariant)]
    private static partial Regex RestoreId();
}
