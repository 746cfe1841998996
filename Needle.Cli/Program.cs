using Needle.Cli;

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl-C ends 'needle dev' and 'deploy --wait' cleanly; a second one ends the process.
    e.Cancel = !stop.IsCancellationRequested;
    stop.Cancel();
};
return await NeedleCli.RunAsync(args, CliEnvironment.System(), stop.Token);
