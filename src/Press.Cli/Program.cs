using Press.Cli.Commands;

// Parse errors get their own exit code (2) so scripts can tell "you called me wrong"
// apart from "the server said no" (1) and "the server is not there" (3).
var parse = CliApp.Build().Parse(args);
UsageErrors.Configure(parse);
var code = await parse.InvokeAsync();
if (parse.Errors.Count == 0) return code;
UsageErrors.WriteHint(parse, Console.Error);
return ExitCodes.Usage;
