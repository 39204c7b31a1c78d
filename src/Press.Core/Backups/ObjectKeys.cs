namespace Press.Core.Backups;

/// <summary>
/// The keys every <see cref="Ports.IObjectStore"/> accepts, the same for S3 and a folder: '/'-separated segments of
/// ASCII letters, digits and <c>. _ - = +</c>, none empty, none starting with '.', at most 900 characters. So a key is
/// always a safe relative path (no <c>..</c>, no absolute path) and stores may keep their own files under dot-names.
/// </summary>
public static class ObjectKeys
{
    public const int MaxLength = 900;

    public static string Validate(string key)
    {
        if (Problem(key, isPrefix: false) is { } problem) throw new ArgumentException($"object key '{key}': {problem}", nameof(key));
        return key;
    }

    /// <summary>A listing prefix: empty, or a key's beginning (it may end with '/' or in the middle of a segment).</summary>
    public static string ValidatePrefix(string prefix)
    {
        if (prefix.Length > 0 && Problem(prefix, isPrefix: true) is { } problem)
            throw new ArgumentException($"object key prefix '{prefix}': {problem}", nameof(prefix));
        return prefix;
    }

    private static string? Problem(string key, bool isPrefix)
    {
        if (string.IsNullOrEmpty(key)) return "is empty";
        if (key.Length > MaxLength) return $"is longer than {MaxLength} characters";
        var segments = key.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment.Length == 0)
            {
                if (isPrefix && i == segments.Length - 1 && i > 0) continue; // "sites/a/"
                return "has an empty segment (a leading, trailing or doubled '/')";
            }
            if (segment[0] == '.') return "has a segment starting with '.'";
            foreach (var c in segment)
                if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '=' or '+'))
                    return $"has the character '{c}' (allowed: ASCII letters, digits, . _ - = + and '/' between segments)";
        }
        return null;
    }
}
