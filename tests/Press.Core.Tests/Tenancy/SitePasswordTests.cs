using Press.Core.Tenancy;

namespace Press.Core.Tests.Tenancy;

public sealed class SitePasswordTests
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    [Fact]
    public void New_passwords_are_40_characters_from_the_alphanumeric_alphabet()
    {
        for (var i = 0; i < 500; i++)
        {
            var password = SitePassword.New();
            Assert.Equal(40, password.Length);
            Assert.Equal(SitePassword.Length, password.Length);
            Assert.All(password, c => Assert.Contains(c, Alphabet));
            Assert.True(SitePassword.IsWellFormed(password));
        }
    }

    [Fact]
    public void New_passwords_have_no_look_alike_or_quoting_characters()
    {
        var seen = Enumerable.Range(0, 2000).SelectMany(_ => SitePassword.New()).ToHashSet();

        Assert.Equal(Alphabet.ToHashSet(), seen);
        foreach (var c in "IOl01'\"\\$; ") Assert.DoesNotContain(c, seen);
    }

    [Fact]
    public void New_passwords_are_all_different()
    {
        var passwords = Enumerable.Range(0, 1000).Select(_ => SitePassword.New()).ToList();

        Assert.Equal(1000, passwords.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("ABCDEFGHJKLMNPQRSTUVWXYZabcdefgh", true)]    // 32, the minimum
    [InlineData("ABCDEFGHJKLMNPQRSTUVWXYZabcdefg", false)]    // 31
    [InlineData("", false)]
    [InlineData("ABCDEFGHJKLMNPQRSTUVWXYZabcdefg'", false)]
    [InlineData("ABCDEFGHJKLMNPQRSTUVWXYZabcdefg\"", false)]
    [InlineData("ABCDEFGHJKLMNPQRSTUVWXYZabcdefg ", false)]
    [InlineData("ABCDEFGHJKLMNPQRSTUVWXYZabcdefg-", false)]
    [InlineData("ABCDEFGHJKLMNPQRSTUVWXYZabcdefg0", false)]
    [InlineData("ABCDEFGHJKLMNPQRSTUVWXYZabcdefgl", false)]
    [InlineData("ABCDEFGHJKLMNPQRSTUVWXYZabcdefgI", false)]
    [InlineData("ABCDEFGHJKLMNPQRSTUVWXYZabcdefgé", false)]
    public void IsWellFormed_needs_32_characters_from_the_alphabet(string password, bool expected)
    {
        Assert.Equal(expected, SitePassword.IsWellFormed(password));
    }
}
