using Payouts.Bus.Host;
using Payouts.Bus.Host.Access;
using Payouts.Bus.Host.DeadLetters;
using Payouts.Bus.Persistence;

var builder = WebApplication.CreateBuilder(args);
builder.AddPayoutsBus();

var app = builder.Build();
if (args is ["migrate", ..])
{
    // "dotnet run --project src/Host -- migrate": apply pending schema migrations, then exit.
    await app.Services.MigratePayoutsDatabaseAsync();
    return 0;
}
if (args is ["api-keys", ..])
    return await ApiKeyCommands.RunAsync(app.Services, args);
if (args is ["dead-letters", ..])
    return await DeadLetterCommands.RunAsync(app.Services, args, Console.In, Console.Out, Console.Error);
app.MapPayoutsBus();
app.Run();
return 0;

/// <summary>The host's entry point; public so that tests can start it.</summary>
public partial class Program;
