using Microsoft.Extensions.Time.Testing;
using Press.Core.Identity;
using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Tests.Identity;

/// <summary>Local accounts (hash upgrade, disable), single sign-on people (issuer + subject), server-side sessions.</summary>
public sealed class AccountAndSessionTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2031, 3, 4, 5, 6, 7, TimeSpan.Zero));
    private static readonly SessionOptions Lifetimes = new() { IdleTimeout = TimeSpan.FromMinutes(30), AbsoluteLifetime = TimeSpan.FromHours(8) };

    private IdentityStore Identity => new(f.Sources, _time);
    private UserStore Users => new(f.Sources, _time, Identity);
    private SessionStore Sessions => new(f.Sources, _time, Lifetimes);
    private static string NewName() => "u-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task A_hash_of_the_first_scheme_still_verifies_and_is_replaced_by_the_standard_one_on_login()
    {
        var name = NewName();
        var user = (await Users.CreateLocalAsync(name, Roles.Operator, false, "first password", Ct))!;
        await f.SuperExecAsync("UPDATE users SET password_hash = @h WHERE id = @id", ("h", PasswordHash.Create("old scheme password")), ("id", user.Id));

        Assert.Equal((false, true), ((await Identity.CheckLocalAsync(name, "wrong", Ct)).PasswordRight, true));
        Assert.StartsWith("pbkdf2-sha256$", await f.SuperScalarAsync<string>("SELECT password_hash FROM users WHERE id = @id", ("id", user.Id)));

        var (account, right) = await Identity.CheckLocalAsync(name, "old scheme password", Ct);
        Assert.True(right);
        Assert.Equal(new LocalAccount(user.Id, name, Roles.Operator, false, false, false), account);
        var upgraded = await f.SuperScalarAsync<string>("SELECT password_hash FROM users WHERE id = @id", ("id", user.Id));
        Assert.StartsWith("AQAAAAIAAYag", upgraded); // ASP.NET Core Identity v3, PBKDF2-HMAC-SHA512, 100,000 iterations
        Assert.True((await Identity.CheckLocalAsync(name, "old scheme password", Ct)).PasswordRight);
        Assert.Equal(upgraded, await f.SuperScalarAsync<string>("SELECT password_hash FROM users WHERE id = @id", ("id", user.Id)));
    }

    [Fact]
    public async Task A_disabled_account_keeps_its_password_but_its_tokens_and_sessions_stop_at_once()
    {
        var name = NewName();
        var user = (await Users.CreateLocalAsync(name, Roles.Admin, false, "a long password", Ct))!;
        var token = (await Identity.MintAsync(user.Id, new TokenPlan("t", Roles.Viewer, _time.GetUtcNow().AddDays(1), null), Ct))!;
        var session = await Sessions.OpenAsync(user.Id, Roles.Admin, "local", "203.0.113.9", Ct);
        Assert.NotNull(await Identity.CheckTokenAsync(token.Token, Ct));
        Assert.NotNull(await Sessions.CheckAsync(session.Secret, Ct));

        Assert.True(await Users.SetDisabledAsync(user.Id, true, Ct));
        Assert.Null(await Identity.CheckTokenAsync(token.Token, Ct));
        Assert.Null(await Sessions.CheckAsync(session.Secret, Ct));
        Assert.Null(await Identity.CheckPasswordAsync(name, "a long password", Ct));
        Assert.True((await Identity.CheckLocalAsync(name, "a long password", Ct)).Account!.Disabled);

        Assert.True(await Users.SetDisabledAsync(user.Id, false, Ct));
        Assert.NotNull(await Identity.CheckTokenAsync(token.Token, Ct));
    }

    [Fact]
    public async Task Sso_people_are_told_apart_by_issuer_and_subject_and_never_get_a_password()
    {
        var subject = Guid.NewGuid().ToString();
        var a = await Identity.RecordSsoPersonAsync("https://idp-a.test/realms/press", subject, "alice", Roles.Viewer, Ct);
        var again = await Identity.RecordSsoPersonAsync("https://idp-a.test/realms/press", subject, "alice", Roles.Operator, Ct);
        var other = await Identity.RecordSsoPersonAsync("https://idp-b.test/realms/press", subject, "alice", Roles.Admin, Ct);

        Assert.Equal(a.UserId, again.UserId);
        Assert.Equal(Roles.Operator, (await Users.FindAsync(a.UserName, Ct))!.Role); // the role the IdP grants now
        Assert.NotEqual(a.UserId, other.UserId);
        Assert.Equal($"sso:{subject}@https://idp-a.test/realms/press", a.UserName);
        // Not a local account: no password login under that name, whatever is typed.
        Assert.Null((await Identity.CheckLocalAsync(a.UserName, "", Ct)).Account);
        await PgAssert.FailsAsync("23514", () => f.SuperExecAsync("UPDATE users SET password_hash = 'x' WHERE id = @id", ("id", a.UserId)));
    }

    [Fact]
    public async Task A_session_ends_when_idle_past_the_timeout_past_its_lifetime_or_when_ended()
    {
        var user = (await Users.CreateLocalAsync(NewName(), Roles.Viewer, false, "a long password", Ct))!;
        var idle = await Sessions.OpenAsync(user.Id, Roles.Viewer, "local", null, Ct);
        var busy = await Sessions.OpenAsync(user.Id, Roles.Viewer, "local", null, Ct);
        var ended = await Sessions.OpenAsync(user.Id, Roles.Viewer, "local", null, Ct);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromHours(8), busy.ExpiresAt);

        Assert.True(await Sessions.EndAsync(ended.Id, "test", Ct));
        Assert.False(await Sessions.EndAsync(ended.Id, "test", Ct));
        Assert.Null(await Sessions.CheckAsync(ended.Secret, Ct));

        for (var i = 0; i < 16; i++) // 16 × 29 min: busy stays alive by use, idle dies after 30 minutes
        {
            _time.Advance(TimeSpan.FromMinutes(29));
            Assert.True(await Sessions.CheckAsync(busy.Secret, Ct) is not null == (_time.GetUtcNow() < busy.ExpiresAt), $"after {i + 1} steps");
        }
        Assert.Null(await Sessions.CheckAsync(idle.Secret, Ct));
        Assert.NotNull(await Sessions.CheckAsync(busy.Secret, Ct)); // 7 h 44 min, used every 29 minutes
        _time.Advance(TimeSpan.FromMinutes(17));
        Assert.Null(await Sessions.CheckAsync(busy.Secret, Ct)); // 8 h 01 min: past its lifetime, however busy
        Assert.Null(await Sessions.CheckAsync("not-a-session", Ct));
        // Only hashes are stored.
        Assert.Equal(0L, await f.SuperScalarAsync<long>("SELECT count(*) FROM sessions s WHERE s::text LIKE '%' || @s || '%'", ("s", busy.Secret)));
    }

    [Fact]
    public async Task Ending_all_of_a_users_sessions_leaves_other_users_sessions()
    {
        var a = (await Users.CreateLocalAsync(NewName(), Roles.Viewer, false, "a long password", Ct))!;
        var b = (await Users.CreateLocalAsync(NewName(), Roles.Viewer, false, "a long password", Ct))!;
        var a1 = await Sessions.OpenAsync(a.Id, Roles.Viewer, "local", null, Ct);
        var a2 = await Sessions.OpenAsync(a.Id, Roles.Viewer, "sso", null, Ct);
        var b1 = await Sessions.OpenAsync(b.Id, Roles.Viewer, "local", null, Ct);
        Assert.Equal(2, await Sessions.EndAllOfAsync(a.Id, "test", Ct));
        Assert.Null(await Sessions.CheckAsync(a1.Secret, Ct));
        Assert.Null(await Sessions.CheckAsync(a2.Secret, Ct));
        Assert.Equal(b.Id, (await Sessions.CheckAsync(b1.Secret, Ct))!.UserId);
    }
}
