var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/", () => "Needle sample");
app.Run();

/// <summary>The sample host's entry point, public so tests can start it.</summary>
public partial class Program;
