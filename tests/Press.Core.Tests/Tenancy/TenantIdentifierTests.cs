using System.Text.RegularExpressions;
using Press.Core.Tenancy;

namespace Press.Core.Tests.Tenancy;

public sealed class TenantIdentifierTests
{
    private static readonly Regex Shape = new(@"\At_[a-z2-7]{20}\z", RegexOptions.CultureInvariant);

    [Fact]
    public void New_ids_are_t_underscore_and_20_base32_characters()
    {
        for (var i = 0; i < 1000; i++)
        {
            var id = TenantIdentifier.NewId();
            Assert.Matches(Shape, id);
            Assert.True(TenantIdentifier.IsValid(id));
        }
    }

    [Fact]
    public void Ten_thousand_new_ids_are_all_different()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => TenantIdentifier.NewId()).ToList();

        Assert.Equal(10_000, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void New_ids_use_the_whole_base32_alphabet()
    {
        var seen = Enumerable.Range(0, 2000).SelectMany(_ => TenantIdentifier.NewId()[2..]).ToHashSet();

        Assert.Equal("abcdefghijklmnopqrstuvwxyz234567".ToHashSet(), seen);
    }

    [Theory]
    [InlineData("")]
    [InlineData("t_")]
    [InlineData("t_abcdefghijklmnopqrs")]        // 19
    [InlineData("t_abcdefghijklmnopqrstu")]      // 21
    [InlineData("T_abcdefghijklmnopqrst")]
    [InlineData("t_ABCDEFGHIJKLMNOPQRST")]
    [InlineData("s_abcdefghijklmnopqrst")]
    [InlineData("tabcdefghijklmnopqrstu")]
    [InlineData("t-abcdefghijklmnopqrst")]
    [InlineData("t_abcdefghijklmnopqrs0")]       // 0, 1, 8, 9 are not base32
    [InlineData("t_abcdefghijklmnopqrs1")]
    [InlineData("t_abcdefghijklmnopqrs8")]
    [InlineData("t_abcdefghijklmnopqrs9")]
    [InlineData("t_abcdefghijklmnopqrs_")]
    [InlineData(" t_abcdefghijklmnopqrst")]
    [InlineData("t_abcdefghijklmnopqrst ")]
    [InlineData("t_x\"; drop")]
    [InlineData("t_abcdefghij\"; drop role postgres; --")]
    [InlineData("erp.example.com")]
    [InlineData("public")]
    public void Strings_not_shaped_like_ours_are_not_valid(string identifier)
    {
        Assert.False(TenantIdentifier.IsValid(identifier));
    }

    /// <summary>.NET's <c>$</c> also matches before a final newline; an identifier spliced into DDL must not carry one.</summary>
    [Fact]
    public void An_identifier_with_a_trailing_newline_is_not_valid()
    {
        Assert.False(TenantIdentifier.IsValid("t_abcdefghijklmnopqrst\n"));
    }

    [Fact]
    public void Require_returns_a_valid_identifier_unchanged()
    {
        var id = TenantIdentifier.NewId();

        Assert.Same(id, TenantIdentifier.Require(id));
    }

    [Fact]
    public void Require_throws_on_an_injection_attempt_and_names_it()
    {
        var ex = Assert.Throws<ArgumentException>(() => TenantIdentifier.Require("t_x\"; drop"));

        Assert.Equal("'t_x\"; drop' is not a Press tenant identifier.", ex.Message);
    }
}
