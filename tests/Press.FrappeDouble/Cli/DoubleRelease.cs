namespace Press.FrappeDouble.Cli;

/// <summary>
/// Which release of "Frappe" this double stands for: 1 (16.0.0, the default) or 2 (16.1.0, with one patch for
/// migrate to run). The image takes it as a build argument (<c>DOUBLE_RELEASE</c>, environment
/// <c>FRAPPE_TEST_DOUBLE_RELEASE</c>), so the tests have an old and a new image to upgrade between.
/// </summary>
public static class DoubleRelease
{
    public const string Variable = "FRAPPE_TEST_DOUBLE_RELEASE";

    public static int Current => Environment.GetEnvironmentVariable(Variable) is "2" ? 2 : 1;

    /// <summary>The version <c>bench version</c> reports for every app of the bench.</summary>
    public static string AppVersion => Current == 2 ? "16.1.0" : "16.0.0";
}
