using Payouts.Bus.Host;

var builder = WebApplication.CreateBuilder(args);
builder.AddPayoutsBus();

var app = builder.Build();
app.MapPayoutsBus();
app.Run();

/// <summary>The host's entry point; public so that tests can start it.</summary>
public partial class Program;
