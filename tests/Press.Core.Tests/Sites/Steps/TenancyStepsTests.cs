using Press.Core.Jobs;
using Press.Core.Sites.Steps;
using Press.Core.Tests.Fakes;

namespace Press.Core.Tests.Sites.Steps;

public sealed class TenancyStepsTests
{
    private readonly FakeTenantDatabase _db = new();
    private readonly FakeSecretProtector _secrets = new();

    private IJobStep Create(string name) => name switch
    {
        StepNames.CreateRole => new CreateRoleStep(_db, _secrets),
        StepNames.CreateSchema => new CreateSchemaStep(_db),
        StepNames.ConfigureRole => new ConfigureRoleStep(_db),
        StepNames.VerifyLogin => new VerifyLoginStep(_db, _secrets),
        StepNames.DisableLogin => new DisableLoginStep(_db),
        StepNames.EnableLogin => new EnableLoginStep(_db),
        StepNames.TerminateConnections => new TerminateConnectionsStep(_db),
        StepNames.DropSchema => new DropSchemaStep(_db),
        StepNames.DropRole => new DropRoleStep(_db),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [InlineData(StepNames.CreateRole, "ensure-role")]
    [InlineData(StepNames.VerifyLogin, "verify-login")]
    public async Task Steps_that_log_in_pass_the_decrypted_site_password(string name, string operation)
    {
        var site = TestData.Site();

        var result = await Create(name).RunAsync(TestData.Context(site), CancellationToken.None);

        var call = Assert.Single(_db.Calls);
        Assert.Equal(new FakeTenantDatabase.Call(operation, site.Id, TestData.SitePassword), call);
        Assert.NotEqual(TestData.SitePassword, System.Text.Encoding.UTF8.GetString(site.EncryptedPassword));
        Assert.Equal(1, _secrets.Unprotects);
        Assert.Equal(new StepResult.Done($"{operation} done"), result);
    }

    [Theory]
    [InlineData(StepNames.CreateSchema, "ensure-schema", null)]
    [InlineData(StepNames.ConfigureRole, "configure-role", null)]
    [InlineData(StepNames.DisableLogin, "set-login", false)]
    [InlineData(StepNames.EnableLogin, "set-login", true)]
    [InlineData(StepNames.TerminateConnections, "terminate-connections", null)]
    [InlineData(StepNames.DropSchema, "drop-schema", null)]
    [InlineData(StepNames.DropRole, "drop-role", null)]
    public async Task Each_step_calls_its_operation_once_and_reports_what_it_found(string name, string operation, bool? canLogin)
    {
        var site = TestData.Site();
        var step = Create(name);

        var result = await step.RunAsync(TestData.Context(site), CancellationToken.None);

        Assert.Equal(name, step.Name);
        Assert.Equal([new FakeTenantDatabase.Call(operation, site.Id, null, canLogin)], _db.Calls);
        Assert.Equal(0, _secrets.Unprotects);
        Assert.Equal(new StepResult.Done($"{operation} done"), result);
    }

    [Fact]
    public void The_steps_that_take_a_password_are_named_after_their_step()
    {
        Assert.Equal(StepNames.CreateRole, Create(StepNames.CreateRole).Name);
        Assert.Equal(StepNames.VerifyLogin, Create(StepNames.VerifyLogin).Name);
    }
}
