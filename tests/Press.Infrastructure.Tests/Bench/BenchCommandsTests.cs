using Press.Infrastructure.Bench;

namespace Press.Infrastructure.Tests.Bench;

/// <summary>The bench commands Press runs, as exact argv (docs/frappe.md §1–§2). No bench, no database.</summary>
public sealed class BenchCommandsTests
{
    private const string Site = "erp.example.com";
    private const string AdminPassword = "AdminPw23456789abcdefghijkmnopqrstuvwxyz";

    [Fact]
    public void NewSite_without_apps_installs_into_the_existing_schema_and_carries_no_password()
    {
        var command = BenchCommands.NewSite(Site, []);

        Assert.Equal(["bench", "new-site", Site, "--force", "--no-setup-db", "--db-type", "postgres"], command.Argv);
        Assert.Empty(command.SecretPositions);
    }

    [Fact]
    public void NewSite_with_apps_adds_one_install_app_per_app_in_order()
    {
        var command = BenchCommands.NewSite(Site, ["erpnext", "hrms"]);

        Assert.Equal(
            ["bench", "new-site", Site, "--force", "--no-setup-db", "--db-type", "postgres", "--install-app", "erpnext", "--install-app", "hrms"],
            command.Argv);
    }

    [Fact]
    public void The_admin_password_is_answered_on_stdin_to_both_of_Frappes_prompts()
    {
        // frappe/utils/install.py get_admin_password: "Set Administrator password", then "Re-enter Administrator password".
        Assert.Equal($"{AdminPassword}\n{AdminPassword}\n", BenchCommands.AdminPasswordPrompt(AdminPassword));
        Assert.Equal("it's a secret\nit's a secret\n", BenchCommands.AdminPasswordPrompt("it's a secret"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("two\nlines")]
    [InlineData("carriage\rreturn")]
    public void A_password_that_cannot_be_typed_at_the_prompt_is_refused(string password)
    {
        Assert.Throws<ArgumentException>(() => BenchCommands.AdminPasswordPrompt(password));
    }

    [Theory]
    [InlineData("--admin-password", "pw")]
    [InlineData("--admin-password=pw")]
    public void A_command_with_the_admin_password_in_argv_is_refused(params string[] extra)
    {
        var command = new BenchCommand(["bench", "new-site", Site, "--force", "--no-setup-db", .. extra]);

        var ex = Assert.Throws<InvalidOperationException>(() => BenchCommands.EnsureAllowed(command));
        Assert.Contains("stdin", ex.Message);
    }

    [Fact]
    public void Display_masks_secret_positions_and_nothing_else()
    {
        var command = new BenchCommand(["bench", "--site", Site, "set-config", "key", "it's a secret"], new HashSet<int> { 5 });

        Assert.Equal("bench --site erp.example.com set-config key ***", command.Display);
        Assert.Equal(command.Display, command.ToString());
        Assert.DoesNotContain("secret", $"{command}");
    }

    [Fact]
    public void Commands_without_secrets_display_their_argv_unmasked()
    {
        var command = BenchCommands.SetConfig(Site, "maintenance_mode", "1", parse: true);

        Assert.Empty(command.SecretPositions);
        Assert.Equal("bench --site erp.example.com set-config maintenance_mode 1 --parse", command.Display);
    }

    [Fact]
    public void InstallApps_lists_every_app_after_install_app()
    {
        Assert.Equal(["bench", "--site", Site, "install-app", "erpnext", "hrms"], BenchCommands.InstallApps(Site, ["erpnext", "hrms"]).Argv);
        Assert.Equal(["bench", "--site", Site, "install-app", "erpnext"], BenchCommands.InstallApps(Site, ["erpnext"]).Argv);
        Assert.Empty(BenchCommands.InstallApps(Site, ["erpnext"]).SecretPositions);
    }

    [Fact]
    public void Migrate()
    {
        Assert.Equal(["bench", "--site", Site, "migrate"], BenchCommands.Migrate(Site).Argv);
        Assert.Empty(BenchCommands.Migrate(Site).SecretPositions);
    }

    [Theory]
    [InlineData(true, "on")]
    [InlineData(false, "off")]
    public void SetMaintenanceMode(bool on, string word)
    {
        Assert.Equal(["bench", "--site", Site, "set-maintenance-mode", word], BenchCommands.SetMaintenanceMode(Site, on).Argv);
    }

    [Fact]
    public void Enable_and_disable_scheduler()
    {
        Assert.Equal(["bench", "--site", Site, "enable-scheduler"], BenchCommands.EnableScheduler(Site).Argv);
        Assert.Equal(["bench", "--site", Site, "disable-scheduler"], BenchCommands.DisableScheduler(Site).Argv);
    }

    [Fact]
    public void SetConfig_without_parse_stores_a_string()
    {
        Assert.Equal(["bench", "--site", Site, "set-config", "host_name", "https://erp.example.com"],
            BenchCommands.SetConfig(Site, "host_name", "https://erp.example.com").Argv);
        Assert.Equal(BenchCommands.SetConfig(Site, "host_name", "x"), BenchCommands.SetConfig(Site, "host_name", "x", parse: false));
    }

    [Fact]
    public void SetConfig_with_parse_appends_parse()
    {
        Assert.Equal(["bench", "--site", Site, "set-config", "pause_scheduler", "1", "--parse"],
            BenchCommands.SetConfig(Site, "pause_scheduler", "1", parse: true).Argv);
    }

    [Fact]
    public void Gunicorn_is_frappe_dockers_backend_command_bound_to_the_runner_port_on_loopback()
    {
        // frappe_docker images/production/Containerfile CMD, with --bind=0.0.0.0:8000 replaced.
        Assert.Equal(
            [
                "/home/frappe/frappe-bench/env/bin/gunicorn",
                "--chdir=/home/frappe/frappe-bench/sites",
                "--bind=127.0.0.1:48601",
                "--threads=4",
                "--workers=2",
                "--worker-class=gthread",
                "--worker-tmp-dir=/dev/shm",
                "--timeout=120",
                "--preload",
                "frappe.app:application",
            ],
            BenchCommands.Gunicorn(48601));
        Assert.Contains("--bind=127.0.0.1:49699", BenchCommands.Gunicorn(49699));
    }

    [Fact]
    public void Serve_passes_noreload_as_Frappes_serve_command_takes_it()
    {
        Assert.Equal(new BenchCommand("bench", "serve", "--port", "48601", "--noreload"), BenchCommands.Serve(48601));
    }

    [Fact]
    public void Workers_and_scheduler_are_frappe_dockers_background_commands()
    {
        Assert.Equal(new BenchCommand("bench", "worker", "--queue", "short,default"), BenchCommands.Worker("short", "default"));
        Assert.Equal(new BenchCommand("bench", "worker", "--queue", "long"), BenchCommands.Worker("long"));
        Assert.Equal(new BenchCommand("bench", "schedule"), BenchCommands.Schedule());
    }

    [Fact]
    public void Equal_commands_are_equal_and_hash_alike()
    {
        var a = BenchCommands.NewSite(Site, ["erpnext"]);
        var b = BenchCommands.NewSite(Site, ["erpnext"]);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, BenchCommands.NewSite(Site, ["hrms"]));
        Assert.NotEqual(new BenchCommand(a.Argv, new HashSet<int> { 2 }), a);
    }

    // ---- EnsureAllowed ---------------------------------------------------------------------------------------------

    public static TheoryData<string[]> Forbidden() => new()
    {
        new[] { "bench", "restore" },
        new[] { "bench", "restore", "/backups/20250301-erp-database.sql.gz" },
        new[] { "bench", "drop-site", Site },
        new[] { "bench", "drop-site", Site, "--force" },
        new[] { "bench", "backup" },
        new[] { "bench", "--site", "x", "backup" },
        new[] { "bench", "--site", "x", "backup", "--with-files", "--compress" },
        new[] { "bench", "--site", "x", "restore", "/backups/x.sql.gz", "--with-public-files", "p.tgz" },
        new[] { "bench", "--site", "x", "reinstall" },
        new[] { "bench", "--site", "x", "reinstall", "--yes", "--admin-password", "pw" },
        new[] { "bench", "--site", "x", "partial-restore", "/backups/x.sql.gz" },
    };

    [Theory]
    [MemberData(nameof(Forbidden))]
    public void EnsureAllowed_refuses_commands_that_act_on_the_whole_shared_database(string[] argv)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => BenchCommands.EnsureAllowed(new BenchCommand(argv)));

        Assert.Contains("shared database", ex.Message);
    }

    [Theory]
    [InlineData("restore")]
    [InlineData("drop-site")]
    [InlineData("backup")]
    [InlineData("reinstall")]
    public void EnsureAllowed_names_the_refused_subcommand(string subcommand)
    {
        var ex = Assert.Throws<InvalidOperationException>(
            () => BenchCommands.EnsureAllowed(new BenchCommand("bench", "--site", "x", subcommand)));

        Assert.StartsWith($"bench {subcommand} ", ex.Message);
    }

    public static TheoryData<BenchCommand> Builders() => new()
    {
        BenchCommands.NewSite(Site, []),
        BenchCommands.NewSite(Site, ["erpnext", "hrms"]),
        BenchCommands.InstallApps(Site, ["erpnext"]),
        BenchCommands.Migrate(Site),
        BenchCommands.SetMaintenanceMode(Site, true),
        BenchCommands.SetMaintenanceMode(Site, false),
        BenchCommands.EnableScheduler(Site),
        BenchCommands.DisableScheduler(Site),
        BenchCommands.SetConfig(Site, "host_name", "https://erp.example.com"),
        BenchCommands.SetConfig(Site, "pause_scheduler", "1", parse: true),
    };

    [Theory]
    [MemberData(nameof(Builders))]
    public void EnsureAllowed_allows_every_command_the_builders_make(BenchCommand command)
    {
        BenchCommands.EnsureAllowed(command);
    }

    [Fact]
    public void The_forbidden_set_is_exactly_the_whole_database_commands()
    {
        Assert.Equal(new HashSet<string> { "restore", "drop-site", "backup", "backup-all-sites", "reinstall", "partial-restore" }, BenchCommands.Forbidden);
    }

    [Theory]
    [InlineData("backup")]
    [InlineData("restore")]
    public void A_value_that_happens_to_be_a_forbidden_word_is_allowed(string value) =>
        BenchCommands.EnsureAllowed(BenchCommands.SetConfig("a.example.com", "note", value));

    [Fact]
    public void New_site_without_no_setup_db_is_refused()
    {
        var ex = Assert.Throws<InvalidOperationException>(() =>
            BenchCommands.EnsureAllowed(new BenchCommand("bench", "new-site", "a.example.com", "--force")));
        Assert.Contains("--no-setup-db", ex.Message);
    }

    [Fact]
    public void Backup_all_sites_is_refused() =>
        Assert.Throws<InvalidOperationException>(() => BenchCommands.EnsureAllowed(new BenchCommand("bench", "backup-all-sites")));

    [Fact]
    public void Bench_version_is_bench_wide_and_its_lines_are_read_as_app_and_version()
    {
        Assert.Equal(["bench", "version"], BenchCommands.Version().Argv);
        Assert.Equal(new Dictionary<string, string> { ["erpnext"] = "16.1.0", ["frappe"] = "16.0.0" },
            BenchCommands.ParseVersions("frappe 16.0.0\nerpnext 16.1.0\n\nWARN: something else here\nNot An-App 1\n"));
    }

    [Fact]
    public void Bench_runs_without_the_site_roles_statement_timeout_through_the_environment_never_argv()
    {
        Assert.Equal(new Dictionary<string, string> { ["PGOPTIONS"] = "-c statement_timeout=0" }, BenchCommands.Environment);
        Assert.DoesNotContain(BenchCommands.Migrate("a.example.com").Argv, a => a.Contains("statement_timeout", StringComparison.Ordinal));
    }
}
