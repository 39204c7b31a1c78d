using Microsoft.Extensions.Time.Testing;
using Press.Core.Identity;
using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Tests.Identity;

public sealed class IdentityStoreTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private async Task<(IdentityStore Store, IdentityStore.Principal Admin, FakeTimeProvider Time)> AdminAsync()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var store = new IdentityStore(f.Sources, time);
        var name = "admin-" + Guid.NewGuid().ToString("N")[..8];
        await store.EnsureLocalAdminAsync(name, "correct horse battery staple", Ct);
        var admin = await store.CheckPasswordAsync(name, "correct horse battery staple", Ct);
        Assert.NotNull(admin);
        return (store, admin, time);
    }

    private static async Task<IdentityStore.MintedToken> MintAsync(IdentityStore store, IdentityStore.Principal admin, TimeProvider time,
        string name, string role, TimeSpan? lifetime = null, Guid? parent = null) =>
        (await store.MintAsync(admin.UserId, new TokenPlan(name, role, time.GetUtcNow() + (lifetime ?? TimeSpan.FromDays(30)), parent), Ct))!;

    [Fact]
    public async Task EnsureLocalAdmin_then_CheckPassword_accepts_only_the_right_password()
    {
        var (store, admin, _) = await AdminAsync();
        Assert.Equal((Roles.Admin, (Guid?)null), (admin.Role, admin.TokenId));
        Assert.Null(await store.CheckPasswordAsync(admin.UserName, "correct horse battery stapl", Ct));
        Assert.Null(await store.CheckPasswordAsync(admin.UserName, "", Ct));
        Assert.Null(await store.CheckPasswordAsync("nobody-" + Guid.NewGuid().ToString("N"), "correct horse battery staple", Ct));

        // Only a salted hash is stored.
        var stored = await f.SuperScalarAsync<string>("SELECT password_hash FROM users WHERE name = @n", ("n", admin.UserName));
        Assert.StartsWith("AQAAAAIAAYag", stored, StringComparison.Ordinal); // ASP.NET Core Identity v3: PBKDF2-HMAC-SHA512, 100,000 iterations
        Assert.DoesNotContain("correct horse", stored!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureLocalAdmin_with_a_new_password_replaces_the_old_one_in_place()
    {
        var (store, admin, _) = await AdminAsync();
        await store.EnsureLocalAdminAsync(admin.UserName, "a brand new password", Ct);
        Assert.Null(await store.CheckPasswordAsync(admin.UserName, "correct horse battery staple", Ct));
        var again = await store.CheckPasswordAsync(admin.UserName, "a brand new password", Ct);
        Assert.Equal(admin.UserId, again?.UserId);
        Assert.Equal(1L, await f.SuperScalarAsync<long>("SELECT count(*) FROM users WHERE name = @n", ("n", admin.UserName)));

        // Same password again: nothing to do, the stored hash is kept.
        var hash = await f.SuperScalarAsync<string>("SELECT password_hash FROM users WHERE name = @n", ("n", admin.UserName));
        await store.EnsureLocalAdminAsync(admin.UserName, "a brand new password", Ct);
        Assert.Equal(hash, await f.SuperScalarAsync<string>("SELECT password_hash FROM users WHERE name = @n", ("n", admin.UserName)));
    }

    [Fact]
    public async Task A_minted_token_authenticates_and_a_wrong_one_does_not()
    {
        var (store, admin, time) = await AdminAsync();
        var minted = await MintAsync(store, admin, time, "ci", Roles.Operator);
        Assert.StartsWith(ApiToken.Prefix, minted.Token, StringComparison.Ordinal);

        var principal = await store.CheckTokenAsync(minted.Token, Ct);
        Assert.Equal(new IdentityStore.Principal(admin.UserId, admin.UserName, Roles.Operator, minted.Id, minted.ExpiresAt), principal);
        Assert.Equal(time.GetUtcNow().UtcDateTime, await f.SuperScalarAsync<DateTime>(
            "SELECT last_used_at FROM api_tokens WHERE id = @id", ("id", minted.Id)));

        var last = minted.Token[^1] == 'a' ? 'b' : 'a';
        Assert.Null(await store.CheckTokenAsync(minted.Token[..^1] + last, Ct));
        Assert.Null(await store.CheckTokenAsync(minted.Token + "x", Ct));
        Assert.Null(await store.CheckTokenAsync(ApiToken.New(), Ct));
        Assert.Null(await store.CheckTokenAsync("", Ct));
    }

    [Fact]
    public async Task An_expired_or_revoked_token_does_not_authenticate()
    {
        var (store, admin, time) = await AdminAsync();
        var minted = await MintAsync(store, admin, time, "short", Roles.Viewer, TimeSpan.FromHours(1));
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromHours(1), minted.ExpiresAt);

        time.Advance(TimeSpan.FromMinutes(59));
        Assert.NotNull(await store.CheckTokenAsync(minted.Token, Ct));
        time.Advance(TimeSpan.FromMinutes(1)); // expires_at = now: no longer valid
        Assert.Null(await store.CheckTokenAsync(minted.Token, Ct));

        var revoked = await MintAsync(store, admin, time, "revoked", Roles.Viewer);
        await f.SuperExecAsync("UPDATE api_tokens SET revoked_at = now() WHERE id = @id", ("id", revoked.Id));
        Assert.Null(await store.CheckTokenAsync(revoked.Token, Ct));
    }

    [Fact]
    public async Task A_token_is_valid_only_while_no_token_above_it_is_revoked()
    {
        var (store, admin, time) = await AdminAsync();
        var parent = await MintAsync(store, admin, time, "parent", Roles.Operator);
        var child = await MintAsync(store, admin, time, "child", Roles.Viewer, parent: parent.Id);
        var grandchild = await MintAsync(store, admin, time, "grandchild", Roles.Viewer, parent: child.Id);
        Assert.NotNull(await store.CheckTokenAsync(grandchild.Token, Ct));

        // Only the parent is marked (as if a child had been minted while the parent was being revoked): the chain check
        // still refuses everything under it.
        await f.SuperExecAsync("UPDATE api_tokens SET revoked_at = now() WHERE id = @id", ("id", parent.Id));
        Assert.Null(await store.CheckTokenAsync(child.Token, Ct));
        Assert.Null(await store.CheckTokenAsync(grandchild.Token, Ct));
        // And nothing more can be minted under it.
        Assert.Null(await store.MintAsync(admin.UserId, new TokenPlan("late", Roles.Viewer, time.GetUtcNow().AddDays(1), parent.Id), Ct));
    }

    [Fact]
    public async Task Revoking_marks_the_token_and_its_whole_tree_once_and_only_within_the_scope()
    {
        var (store, admin, time) = await AdminAsync();
        var parent = await MintAsync(store, admin, time, "parent", Roles.Operator);
        var child = await MintAsync(store, admin, time, "child", Roles.Viewer, parent: parent.Id);
        await MintAsync(store, admin, time, "grandchild", Roles.Viewer, parent: child.Id);
        var other = await MintAsync(store, admin, time, "other", Roles.Viewer);

        Assert.Null(await store.RevokeAsync(other.Id, new TokenScope(parent.Id, null), Ct)); // not under the caller's token
        Assert.Equal(["child", "grandchild", "parent"], (await store.ListTokensAsync(new TokenScope(parent.Id, null), Ct)).Select(t => t.Name).Order());
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(2, await store.RevokeAsync(child.Id, new TokenScope(parent.Id, null), Ct));
        Assert.Equal(0, await store.RevokeAsync(child.Id, TokenScope.All, Ct)); // already revoked: nothing more to do
        Assert.Equal(1, await store.RevokeAsync(parent.Id, TokenScope.All, Ct));

        var listed = await store.ListTokensAsync(new TokenScope(null, admin.UserId), Ct);
        Assert.All(listed.Where(t => t.Name != "other"), t => Assert.NotNull(t.RevokedAt));
        Assert.Null(listed.Single(t => t.Name == "other").RevokedAt);
        Assert.NotNull(await store.CheckTokenAsync(other.Token, Ct));
    }

    [Fact]
    public async Task The_database_holds_only_the_token_hash_never_the_token()
    {
        var (store, admin, time) = await AdminAsync();
        var minted = await MintAsync(store, admin, time, "secret-check", Roles.Admin);
        var secretPart = minted.Token[ApiToken.Prefix.Length..];

        var everything = await f.SuperScalarAsync<string>("SELECT string_agg(row_to_json(t)::text, E'\\n') FROM api_tokens t");
        Assert.DoesNotContain(minted.Token, everything!, StringComparison.Ordinal);
        // At most the short hint is kept in clear: no 8-character run of the secret part appears.
        for (var i = 0; i + 8 <= secretPart.Length; i++)
            Assert.DoesNotContain(secretPart.Substring(i, 8), everything, StringComparison.Ordinal);

        Assert.Equal(ApiToken.Hash(minted.Token), await f.SuperScalarAsync<byte[]>(
            "SELECT token_hash FROM api_tokens WHERE id = @id", ("id", minted.Id)));
        Assert.Equal(ApiToken.Hint(minted.Token), await f.SuperScalarAsync<string>(
            "SELECT prefix FROM api_tokens WHERE id = @id", ("id", minted.Id)));
    }
}

/// <summary>An unknown user name costs the same hash work as a wrong password: counted, not timed.</summary>
public sealed class PasswordWorkTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private sealed class CountingHasher : IPasswordHasher
    {
        public int Verifies;

        public string Create(string password) => PasswordHash.Create(password);

        public bool Verify(string password, string stored)
        {
            Interlocked.Increment(ref Verifies);
            return PasswordHash.Verify(password, stored);
        }
    }

    [Fact]
    public async Task An_unknown_user_name_runs_the_password_hash_once_like_a_wrong_password()
    {
        var hasher = new CountingHasher();
        var store = new IdentityStore(f.Sources, TimeProvider.System, new LocalPasswordCheck(hasher));
        var name = "admin-" + Guid.NewGuid().ToString("N")[..8];
        await store.EnsureLocalAdminAsync(name, "correct horse battery staple", CancellationToken.None);
        hasher.Verifies = 0;

        Assert.Null(await store.CheckPasswordAsync(name, "wrong password", CancellationToken.None));
        Assert.Equal(1, hasher.Verifies);
        Assert.Null(await store.CheckPasswordAsync("nobody-" + Guid.NewGuid().ToString("N"), "wrong password", CancellationToken.None));
        Assert.Equal(2, hasher.Verifies);
    }
}
