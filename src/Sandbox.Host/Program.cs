using Payouts.Bus.Sandbox;

// The simulated providers on Sandbox:Url (default http://127.0.0.1:5081), configured from the
// Sandbox section like the embedded one; webhooks go to Sandbox:DfnsWebhookUrl and
// Sandbox:CalypsoWebhookUrl (TheDex and OxaPay call back the URL each payout names).
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddProviderSandbox(builder.Configuration);
await builder.Build().RunAsync();
