using System.CommandLine;
using HomeSec.Cli;

// The daemon's host handles Ctrl-C and SIGTERM itself (a graceful CoordinatedShutdown), so the
// command-line parser must not cut the process short.
return await HomeSecCli.Build().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
