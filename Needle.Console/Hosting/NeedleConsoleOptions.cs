namespace Needle.Console.Hosting;

/// <summary>Options of the operations console (<c>AddConsole(o =&gt; ...)</c>).</summary>
public sealed class NeedleConsoleOptions
{
    /// <summary>
    /// The path of the control-plane API the console calls, as given to <c>MapNeedleApi</c>, relative to the host's
    /// path base. Default: <c>/needle/api</c>.
    /// </summary>
    public string ApiPrefix { get; set; } = "/needle/api";
}
