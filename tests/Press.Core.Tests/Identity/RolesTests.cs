using Press.Core.Identity;

namespace Press.Core.Tests.Identity;

public sealed class RolesTests
{
    [Fact]
    public void There_are_three_roles_named_as_the_api_spells_them()
    {
        Assert.Equal(["admin", "operator", "viewer"], Roles.All);
    }

    [Theory]
    [InlineData(Roles.Admin, Roles.Admin, true)]
    [InlineData(Roles.Admin, Roles.Operator, true)]
    [InlineData(Roles.Admin, Roles.Viewer, true)]
    [InlineData(Roles.Operator, Roles.Admin, false)]
    [InlineData(Roles.Operator, Roles.Operator, true)]
    [InlineData(Roles.Operator, Roles.Viewer, true)]
    [InlineData(Roles.Viewer, Roles.Admin, false)]
    [InlineData(Roles.Viewer, Roles.Operator, false)]
    [InlineData(Roles.Viewer, Roles.Viewer, true)]
    public void A_role_includes_itself_and_every_role_below_it(string held, string required, bool expected)
    {
        Assert.Equal(expected, Roles.Includes(held, required));
    }

    [Theory]
    [InlineData("", Roles.Viewer)]
    [InlineData("root", Roles.Viewer)]
    [InlineData("Admin", Roles.Viewer)]
    [InlineData("ADMIN", Roles.Viewer)]
    [InlineData(" admin", Roles.Viewer)]
    [InlineData("superadmin", Roles.Viewer)]
    public void Unknown_roles_include_nothing(string held, string required)
    {
        Assert.False(Roles.Includes(held, required));
    }

    [Theory]
    [InlineData(Roles.Admin, "")]
    [InlineData(Roles.Admin, "root")]
    [InlineData(Roles.Admin, "Viewer")]
    [InlineData("root", "root")]
    [InlineData("", "")]
    public void Nobody_holds_an_unknown_required_role(string held, string required)
    {
        Assert.False(Roles.Includes(held, required));
    }
}
