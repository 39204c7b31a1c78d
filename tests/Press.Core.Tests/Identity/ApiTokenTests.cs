using System.Security.Cryptography;
using System.Text;
using Press.Core.Identity;

namespace Press.Core.Tests.Identity;

public sealed class ApiTokenTests
{
    [Fact]
    public void New_tokens_are_the_prefix_and_48_lowercase_base32_characters()
    {
        var token = ApiToken.New();

        Assert.Equal("press_", ApiToken.Prefix);
        Assert.StartsWith(ApiToken.Prefix, token);
        Assert.Matches(@"\Apress_[a-z2-7]{48}\z", token);
    }

    [Fact]
    public void New_tokens_are_all_different()
    {
        var tokens = Enumerable.Range(0, 1000).Select(_ => ApiToken.New()).ToList();

        Assert.Equal(1000, tokens.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void The_hash_is_the_SHA256_of_the_token_and_stable()
    {
        var token = ApiToken.New();

        var hash = ApiToken.Hash(token);

        Assert.Equal(32, hash.Length);
        Assert.Equal(hash, ApiToken.Hash(token));
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(token)), hash);
    }

    [Fact]
    public void The_hash_of_a_known_string_is_the_SHA256_test_vector()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Convert.ToHexStringLower(ApiToken.Hash("abc")));
    }

    [Fact]
    public void Different_tokens_have_different_hashes()
    {
        var a = ApiToken.New();
        var b = a[..^1] + (a[^1] == 'a' ? 'b' : 'a');

        Assert.NotEqual(ApiToken.Hash(a), ApiToken.Hash(b));
    }

    [Fact]
    public void The_hint_shows_the_prefix_and_six_characters_then_an_ellipsis()
    {
        var token = ApiToken.New();

        var hint = ApiToken.Hint(token);

        Assert.Equal(token[..12] + "…", hint);
    }

    [Fact]
    public void The_hint_reveals_at_most_12_characters_of_any_token()
    {
        foreach (var token in new[] { ApiToken.New(), "press_", "abc", "", new string('z', 500) })
        {
            var revealed = ApiToken.Hint(token).TrimEnd('…');
            Assert.True(revealed.Length <= 12, $"hint of '{token}' reveals {revealed.Length} characters");
            Assert.StartsWith(revealed, token);
            Assert.EndsWith("…", ApiToken.Hint(token));
        }
    }

    [Fact]
    public void The_hint_does_not_reveal_enough_to_find_the_token()
    {
        var token = ApiToken.New();

        Assert.DoesNotContain(token[12..], ApiToken.Hint(token));
    }
}
