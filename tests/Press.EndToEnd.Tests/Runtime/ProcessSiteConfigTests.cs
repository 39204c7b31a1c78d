namespace Press.EndToEnd.Tests.Runtime;

/// <summary>Issue 10's scenarios (<see cref="SiteConfigScenarios"/>) on the process driver.</summary>
[Collection(SiteRuntimeCollection.Name)]
public sealed class ProcessSiteConfigTests(ProcessStackFixture fixture) : IClassFixture<ProcessStackFixture>
{
    private SiteConfigScenarios Scenarios => new(fixture.Stack);

    [Fact]
    public Task A_password_field_decrypts_after_suspend_resume_delete_undelete_restore_and_restore_as_a_new_site() =>
        Scenarios.A_password_field_decrypts_after_suspend_resume_delete_undelete_restore_and_restore_as_a_new_site();

    [Fact]
    public Task An_install_killed_half_way_is_retried_on_an_emptied_schema_and_a_later_install_step_loses_no_data() =>
        Scenarios.An_install_killed_half_way_is_retried_on_an_emptied_schema_and_a_later_install_step_loses_no_data();

    [Fact]
    public Task A_restore_under_constant_writes_loses_no_write_and_no_new_session_writes_to_the_old_schema() =>
        Scenarios.A_restore_under_constant_writes_loses_no_write_and_no_new_session_writes_to_the_old_schema();

    [Fact]
    public Task A_migrate_longer_than_the_site_roles_statement_timeout_completes() =>
        Scenarios.A_migrate_longer_than_the_site_roles_statement_timeout_completes();
}
