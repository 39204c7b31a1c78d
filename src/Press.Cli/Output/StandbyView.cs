using Press.Cli.Api;

namespace Press.Cli.Output;

/// <summary>The pool per app set, then whether it is kept (and why not).</summary>
public static class StandbyView
{
    public static void Write(TextWriter o, StandbyStatus status)
    {
        var table = new Table("APPS", "TARGET", "READY", "CREATING", "BROKEN");
        foreach (var s in status.AppSets)
            table.Add(s.Apps, s.Target.ToString(), s.Ready.ToString(), s.Creating.ToString(), s.Broken.ToString());
        table.Write(o);
        o.WriteLine(status.Enabled ? $"The pool is kept at {status.Target} per app set." : $"The pool is not kept: {status.Reason}.");
        if (status.AppSets.Any(s => s.Broken > 0))
            o.WriteLine("Broken standbys count against the target: delete them (press site delete NAME, names in --json) once their failed job is understood.");
    }
}
