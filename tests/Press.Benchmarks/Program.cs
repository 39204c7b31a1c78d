using Press.Benchmarks;

// scripts/bench runs this program: the first argument picks the benchmark, the rest are its options.
return args switch
{
    ["--proxy", .. var rest] => await ProxyBench.MainAsync(rest),   // the embedded proxy (ProxyBench.cs)
    ["--backup", .. var rest] => await BackupBench.MainAsync(rest), // backup/restore vs raw pg_dump/pg_restore (BackupBench.cs)
    ["--scale", .. var rest] => await ScaleBench.MainAsync(rest),   // many sites: create cost, API, backups, job engine (ScaleBench.cs)
    ["--smoke", .. var rest] => await SmokeRun.MainAsync(rest),     // every benchmark once at a tiny size, for CI (SmokeRun.cs)
    _ => await ControlPlaneBench.MainAsync(args),                   // the control plane (ControlPlaneBench.cs)
};
