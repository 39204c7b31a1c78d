using Press.Core.Identity;

namespace Press.Core.Tests.Identity;

public sealed class TokenRulesTests
{
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid User = Guid.NewGuid();

    private static TokenCaller Password(string role = Roles.Admin) => new(User, role, null, null);

    private static TokenCaller Token(string role, TimeSpan left, Guid? id = null) => new(User, role, id ?? Guid.NewGuid(), Now + left);

    [Fact]
    public void A_password_login_mints_a_token_of_its_role_capped_by_the_setting()
    {
        var (plan, problems) = TokenRules.Plan(Password(), "ci", null, null, maxLifetimeDays: 90, Now);

        Assert.Empty(problems);
        Assert.Equal(new TokenPlan("ci", Roles.Admin, Now.AddDays(90), null), plan);
    }

    [Fact]
    public void A_token_mints_children_that_name_it_and_expire_with_it_at_the_latest()
    {
        var parent = Token(Roles.Operator, TimeSpan.FromDays(3));

        var (plan, problems) = TokenRules.Plan(parent, "child", Roles.Viewer, null, 90, Now);
        var (twoDays, _) = TokenRules.Plan(parent, "child", null, 2, 90, Now);

        Assert.Empty(problems);
        Assert.Equal(new TokenPlan("child", Roles.Viewer, parent.TokenExpiresAt!.Value, parent.TokenId), plan);
        Assert.Equal(new TokenPlan("child", Roles.Operator, Now.AddDays(2), parent.TokenId), twoDays);
    }

    [Fact]
    public void A_token_cannot_mint_a_higher_role_or_outlive_its_parent()
    {
        var viewer = Token(Roles.Viewer, TimeSpan.FromDays(1));

        var (plan, problems) = TokenRules.Plan(viewer, "up", Roles.Admin, 2, 90, Now);

        Assert.Null(plan);
        Assert.Equal(["role", "expiresInDays"], problems.Select(p => p.Field));
        Assert.Contains("own role or lower", problems[0].Problem);
        Assert.Contains("outlive", problems[1].Problem);
        Assert.Contains("at most 1 days", problems[1].Problem);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(31)]
    public void The_lifetime_must_be_within_the_cap(int days)
    {
        var (plan, problems) = TokenRules.Plan(Password(), "x", null, days, maxLifetimeDays: 30, Now);

        Assert.Null(plan);
        var problem = Assert.Single(problems);
        Assert.Equal("expiresInDays", problem.Field);
        Assert.Contains("between 1 and 30", problem.Problem);
        Assert.Contains("tokens.maxLifetimeDays", problem.Problem);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var (_, problems) = TokenRules.Plan(Password(Roles.Viewer), new string('n', 101), "root", 0, 90, Now);

        Assert.Equal(["name", "role", "expiresInDays"], problems.Select(p => p.Field));
    }

    [Fact]
    public void Admins_see_every_token_others_their_tree_and_a_password_login_its_own()
    {
        var id = Guid.NewGuid();

        Assert.Equal(TokenScope.All, TokenRules.ScopeOf(Password()));
        Assert.Equal(TokenScope.All, TokenRules.ScopeOf(Token(Roles.Admin, TimeSpan.FromDays(1), id)));
        Assert.Equal(new TokenScope(id, null), TokenRules.ScopeOf(Token(Roles.Operator, TimeSpan.FromDays(1), id)));
        Assert.Equal(new TokenScope(null, User), TokenRules.ScopeOf(Password(Roles.Viewer)));
    }
}
