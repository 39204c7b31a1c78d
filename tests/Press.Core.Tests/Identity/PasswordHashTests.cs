using Press.Core.Identity;

namespace Press.Core.Tests.Identity;

public sealed class PasswordHashTests
{
    private const string Password = "correct horse battery staple";

    // One hash for the whole class: PBKDF2 with 100 000 iterations is deliberately slow.
    private static readonly string Stored = PasswordHash.Create(Password);

    private static string[] Parts => Stored.Split('$');

    [Fact]
    public void The_stored_form_names_the_algorithm_iterations_salt_and_hash()
    {
        Assert.Equal(4, Parts.Length);
        Assert.Equal("pbkdf2-sha256", Parts[0]);
        Assert.Equal("100000", Parts[1]);
        Assert.Equal(16, Convert.FromBase64String(Parts[2]).Length);
        Assert.Equal(32, Convert.FromBase64String(Parts[3]).Length);
        Assert.DoesNotContain(Password, Stored);
    }

    [Fact]
    public void The_right_password_verifies()
    {
        Assert.True(PasswordHash.Verify(Password, Stored));
    }

    [Theory]
    [InlineData("")]
    [InlineData("correct horse battery stapl")]
    [InlineData("correct horse battery staple ")]
    [InlineData("Correct horse battery staple")]
    [InlineData("wrong")]
    public void A_wrong_password_does_not_verify(string attempt)
    {
        Assert.False(PasswordHash.Verify(attempt, Stored));
    }

    [Fact]
    public void The_same_password_hashes_differently_each_time_and_both_verify()
    {
        var again = PasswordHash.Create(Password);

        Assert.NotEqual(Stored, again);
        Assert.NotEqual(Parts[2], again.Split('$')[2]);
        Assert.True(PasswordHash.Verify(Password, again));
    }

    [Fact]
    public void A_tampered_hash_does_not_verify()
    {
        var hash = Parts[3];
        var tampered = $"{Parts[0]}${Parts[1]}${Parts[2]}${(hash[0] == 'A' ? 'B' : 'A')}{hash[1..]}";

        Assert.False(PasswordHash.Verify(Password, tampered));
    }

    [Fact]
    public void A_tampered_salt_does_not_verify()
    {
        var salt = Parts[2];
        var tampered = $"{Parts[0]}${Parts[1]}${(salt[0] == 'A' ? 'B' : 'A')}{salt[1..]}${Parts[3]}";

        Assert.False(PasswordHash.Verify(Password, tampered));
    }

    [Fact]
    public void Changed_iterations_do_not_verify()
    {
        Assert.False(PasswordHash.Verify(Password, $"{Parts[0]}$99999${Parts[2]}${Parts[3]}"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("plain-text-password")]
    [InlineData("pbkdf2-sha256$100000$c2FsdA==")]
    [InlineData("pbkdf2-sha256$100000$c2FsdA==$aGFzaA==$extra")]
    [InlineData("pbkdf2-sha1$100000$c2FsdA==$aGFzaA==")]
    [InlineData("bcrypt$100000$c2FsdA==$aGFzaA==")]
    [InlineData("pbkdf2-sha256$lots$c2FsdA==$aGFzaA==")]
    public void Stored_values_of_the_wrong_form_do_not_verify(string stored)
    {
        Assert.False(PasswordHash.Verify(Password, stored));
    }

    /// <summary>A corrupted stored value must be a failed login (false), not an exception out of Verify.</summary>
    [Theory]
    [InlineData("pbkdf2-sha256$100000$!!!not-base64!!!$aGFzaA==")]
    [InlineData("pbkdf2-sha256$100000$c2FsdA==$***")]
    [InlineData("pbkdf2-sha256$0$c2FsdA==$aGFzaA==")]
    [InlineData("pbkdf2-sha256$-1$c2FsdA==$aGFzaA==")]
    public void Corrupted_stored_values_do_not_verify_and_do_not_throw(string stored)
    {
        bool? verified = null;
        var thrown = Record.Exception(() => verified = PasswordHash.Verify(Password, stored));

        Assert.Null(thrown);
        Assert.False(verified);
    }

    /// <summary>
    /// An empty hash part makes the expected hash zero bytes long; comparing two empty arrays is "equal", so any
    /// password would log in against a truncated or blanked stored value.
    /// </summary>
    [Theory]
    [InlineData("wrong")]
    [InlineData("")]
    public void A_stored_value_with_an_empty_hash_verifies_no_password(string attempt)
    {
        Assert.False(PasswordHash.Verify(attempt, $"{Parts[0]}${Parts[1]}${Parts[2]}$"));
        Assert.False(PasswordHash.Verify(attempt, "pbkdf2-sha256$1$$"));
    }
}
