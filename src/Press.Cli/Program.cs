using System.CommandLine;
using Press.Cli.Commands;

// Parse errors get their own exit code (2) so scripts can tell "you called me wrong"
// apart from "the server said no" (1) and "the server is not there" (3).
var parse = CliApp.Build().Parse(args);
UsageErrors.Configure(parse);

// Ctrl+C / SIGTERM cancel the command's token instead of killing the process outright;
// System.CommandLine 2.0.0 only hooks the signals when this timeout is set explicitly.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(2) };
var code = await parse.InvokeAsync(invocation);
if (parse.Errors.Count == 0) return code;
UsageErrors.WriteHint(parse, Console.Error);
return ExitCodes.Usage;
