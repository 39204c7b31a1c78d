using Press.Infrastructure.Postgres;

namespace Press.Manager;

/// <summary><c>Press:Admin</c>: the bootstrap admin, a local account that works even when SSO does not.</summary>
public sealed class AdminOptions
{
    public const string Section = "Press:Admin";
    public string UserName { get; set; } = "admin";
    /// <summary>From <c>Press__Admin__Password</c> or <c>Press__Admin__Password_FILE</c>.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Once a single sign-on admin exists, the bootstrap admin may log in only while the issuer is down (an emergency
    /// account); default false: it is break-glass, and may log in locally at any time.
    /// </summary>
    public bool OnlyWhenSsoDown { get; set; }
}

public static class Startup
{
    /// <summary>Every start: metadata migrations, then the bootstrap admin account.</summary>
    public static async Task PrepareAsync(IServiceProvider services)
    {
        var problems = services.GetRequiredService<Press.Core.Identity.OidcOptions>().Problems()
            .Concat(services.GetRequiredService<Press.Core.Identity.SessionOptions>().Problems()).ToList();
        if (problems.Count > 0)
            throw new InvalidOperationException("Fix the login settings: " + string.Join(" ", problems));
        await services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        var admin = services.GetRequiredService<AdminOptions>();
        if (string.IsNullOrEmpty(admin.Password))
            throw new InvalidOperationException("Set the bootstrap admin's password: Press__Admin__Password or Press__Admin__Password_FILE.");
        if (admin.Password.Length < 12)
            throw new InvalidOperationException("The bootstrap admin's password must be at least 12 characters.");
        await services.GetRequiredService<IdentityStore>().EnsureLocalAdminAsync(admin.UserName, admin.Password, CancellationToken.None);
    }

    /// <summary>One-time database setup with a superuser URL (<c>Press__Bootstrap__SuperuserConnectionString</c>).</summary>
    public static async Task BootstrapAsync(IServiceProvider services, IConfiguration config)
    {
        var superuser = config["Press:Bootstrap:SuperuserConnectionString"];
        if (string.IsNullOrEmpty(superuser))
            throw new InvalidOperationException("bootstrap needs Press__Bootstrap__SuperuserConnectionString (or its _FILE form).");
        await services.GetRequiredService<Bootstrapper>().RunAsync(superuser, CancellationToken.None);
        await services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
    }
}
