using HomeSec.Cli;

return await HomeSecCli.InvokeAsync(args);
