using System.Globalization;
using System.Text;

namespace Press.Core.Sites;

/// <summary>
/// Checks an <c>xn--</c> label (an internationalised label in its ASCII form, RFC 5891) with .NET's IDNA
/// implementation (<see cref="IdnMapping"/>, ICU underneath) instead of a hand-written decoder: the label must decode,
/// the decoded form must be a valid IDNA label (UseStd3AsciiRules), and encoding it again must give the same label, so
/// every site has exactly one spelling. ICU's decoder accepts some code points IDNA2008 does not allow in a label
/// (e.g. 'xn--a' decodes to the control character U+0080), so the decoded label must also be made of letters, digits,
/// combining marks and hyphens only (the IDNA2008 PVALID classes, RFC 5892, in their general form).
/// </summary>
public static class Punycode
{
    public const string AcePrefix = "xn--";

    private static readonly IdnMapping Idna = new() { UseStd3AsciiRules = true, AllowUnassigned = false };

    /// <summary>Null when <paramref name="label"/> (lowercase, starting with xn--) is a valid punycode label; else why not.</summary>
    public static string? Problem(string label)
    {
        string decoded;
        try
        {
            decoded = Idna.GetUnicode(label);
        }
        catch (ArgumentException)
        {
            return $"The label '{label}' starts with {AcePrefix} but is not valid punycode: give the punycode form an IDN converter produces " +
                   "(e.g. 'xn--bcher-kva' for 'bücher'), or a name without the xn-- prefix.";
        }
        string again;
        try
        {
            again = Idna.GetAscii(decoded);
        }
        catch (ArgumentException)
        {
            again = "";
        }
        return decoded.Any(c => c > 127) && string.Equals(again, label, StringComparison.Ordinal) && decoded.EnumerateRunes().All(Allowed)
            ? null
            : $"The label '{label}' starts with {AcePrefix} but does not decode to a valid internationalised label that encodes back to it: " +
              "give the punycode form an IDN converter produces (e.g. 'xn--bcher-kva' for 'bücher'), or a name without the xn-- prefix.";
    }

    private static bool Allowed(Rune rune) => rune.Value == '-' || Rune.GetUnicodeCategory(rune) is
        UnicodeCategory.LowercaseLetter or UnicodeCategory.OtherLetter or UnicodeCategory.ModifierLetter or
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
}
