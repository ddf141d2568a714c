using Payouts.Bus.Persistence;
using Payouts.Bus.Persistence.Access;

namespace Payouts.Bus.Host.Access;

/// <summary>
/// <c>dotnet run --project src/Host -- api-keys create &lt;name&gt; [--scopes "payouts:write payouts:read"] | list | revoke &lt;name&gt;</c>,
/// against the configured database.
/// </summary>
public static class ApiKeyCommands
{
    private const string Usage = "usage: api-keys create <name> [--scopes \"<scope> ...\"] | api-keys list | api-keys revoke <name>";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        await services.MigratePayoutsDatabaseAsync();
        await using var scope = services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ApiKeyStore>();
        switch (args)
        {
            case ["api-keys", "create", var name, .. var rest]:
                var scopes = rest is ["--scopes", var given] ? given : $"{Scopes.PayoutsWrite} {Scopes.PayoutsRead}";
                if (Scopes.Parse(scopes).FirstOrDefault(s => !Scopes.All.Contains(s)) is { } unknown)
                    return Fail($"unknown scope '{unknown}'; scopes are: {string.Join(' ', Scopes.All)}");
                if (name.Length is 0 or > 100 || name.Any(char.IsControl))
                    return Fail("a key's name is 1 to 100 printable characters");
                if ((await store.ListAsync(CancellationToken.None)).Any(k => k.Name == name))
                    return Fail($"a key named '{name}' exists already");
                var key = await store.CreateAsync(name, string.Join(' ', Scopes.Parse(scopes)), CancellationToken.None);
                Console.WriteLine($"API key '{name}' ({scopes}), shown this once; only its hash is kept:\n{key}");
                return 0;
            case ["api-keys", "list"]:
                foreach (var k in await store.ListAsync(CancellationToken.None))
                    Console.WriteLine($"{k.Name}\t{k.Scopes}\tcreated {k.CreatedAt:u}\t{(k.LastUsedAt is { } used ? $"last used {used:u}" : "never used")}\t" +
                        (k.RevokedAt is { } revoked ? $"revoked {revoked:u}" : "live"));
                return 0;
            case ["api-keys", "revoke", var name]:
                if (!await store.RevokeAsync(name, CancellationToken.None))
                    return Fail($"no key is named '{name}'");
                Console.WriteLine($"API key '{name}' revoked: it is refused from now on.");
                return 0;
            default:
                return Fail(Usage);
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}
