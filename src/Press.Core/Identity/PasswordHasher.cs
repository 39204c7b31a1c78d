namespace Press.Core.Identity;

/// <summary>How local account passwords are hashed and checked (a seam so tests can see that the work is done).</summary>
public interface IPasswordHasher
{
    string Create(string password);

    bool Verify(string password, string stored);

    /// <summary>Whether a hash that verified should be replaced by a fresh one (an older scheme or weaker parameters).</summary>
    bool NeedsUpgrade(string stored) => false;
}

/// <summary>The original scheme, <see cref="PasswordHash"/> (PBKDF2-SHA256): still verified, upgraded on login.</summary>
public sealed class Pbkdf2PasswordHasher : IPasswordHasher
{
    public static Pbkdf2PasswordHasher Instance { get; } = new();

    public string Create(string password) => PasswordHash.Create(password);

    public bool Verify(string password, string stored) => PasswordHash.Verify(password, stored);
}

/// <summary>
/// Checks a password given for a local account, whether or not the account exists: for an unknown name (or an account
/// without a password) the same hash is computed against a dummy hash made the same way, so the answer takes as long
/// as a wrong password and does not tell which names exist.
/// </summary>
public sealed class LocalPasswordCheck(IPasswordHasher hasher)
{
    private readonly string _dummy = hasher.Create(ApiToken.New());

    public static LocalPasswordCheck Default { get; } = new(Pbkdf2PasswordHasher.Instance);

    /// <summary>Hashes a new password (stored by the caller).</summary>
    public string Create(string password) => hasher.Create(password);

    /// <summary>Whether a stored hash that just verified should be replaced.</summary>
    public bool NeedsUpgrade(string storedHash) => hasher.NeedsUpgrade(storedHash);

    /// <summary>True only for the right password of an account that has one.</summary>
    public bool Check(string password, string? storedHash)
    {
        if (storedHash is not null) return hasher.Verify(password, storedHash);
        hasher.Verify(password, _dummy); // the work, not the answer: a random dummy never matches
        return false;
    }
}
