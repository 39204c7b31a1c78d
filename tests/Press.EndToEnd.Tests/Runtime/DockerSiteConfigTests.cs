namespace Press.EndToEnd.Tests.Runtime;

/// <summary>
/// Issue 10's Password-field scenario (<see cref="SiteConfigScenarios"/>) on the Docker driver: the site_config.json
/// there lives in the site's volume and is read and written through the engine. The install, load and migrate
/// scenarios change the bench folder's files directly and run on the process driver (<see cref="ProcessSiteConfigTests"/>);
/// the code they test is shared by both drivers except the file access this class covers.
/// </summary>
[Collection(SiteRuntimeCollection.Name)]
public sealed class DockerSiteConfigTests(DockerStackFixture fixture) : IClassFixture<DockerStackFixture>
{
    [Fact]
    public Task A_password_field_decrypts_after_suspend_resume_delete_undelete_restore_and_restore_as_a_new_site() =>
        new SiteConfigScenarios(fixture.Stack).A_password_field_decrypts_after_suspend_resume_delete_undelete_restore_and_restore_as_a_new_site();
}
