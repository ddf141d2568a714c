using System.ComponentModel.DataAnnotations;

namespace Payouts.Bus.Host.Access;

/// <summary>Configuration section <c>Auth</c>: who may call the HTTP API, and what each caller may do.</summary>
public sealed class AccessOptions : IValidatableObject
{
    public const string Section = "Auth";
    private const int ShortestKey = 24;

    /// <summary>
    /// Keys given by configuration, for automation: <c>Auth:ApiKeys:&lt;name&gt;:Key</c> and
    /// <c>Auth:ApiKeys:&lt;name&gt;:Scopes</c> (space-separated). They work beside the keys stored in
    /// the database (<c>dotnet run --project src/Host -- api-keys create</c>).
    /// </summary>
    public Dictionary<string, ConfiguredApiKey> ApiKeys { get; set; } = [];

    /// <summary>
    /// On first start with no key at all, make a key named <c>development</c> with every scope and
    /// print it once. On in <c>appsettings.Development.json</c> (the quick start); refused in Production.
    /// </summary>
    public bool CreateDevelopmentKey { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, key) in ApiKeys)
        {
            if (key.Key is not { Length: >= ShortestKey })
                yield return new ValidationResult($"Auth:ApiKeys:{name}:Key must be at least {ShortestKey} characters: a short key can be guessed.");
            foreach (var scope in Scopes.Parse(key.Scopes).Where(s => !Scopes.All.Contains(s)))
                yield return new ValidationResult($"Auth:ApiKeys:{name}:Scopes names '{scope}', which is not one of: {string.Join(' ', Scopes.All)}.");
        }
    }
}

public sealed class ConfiguredApiKey
{
    public string? Key { get; set; }
    public string Scopes { get; set; } = "";

    /// <summary>
    /// The client whose payouts the key acts on; by default the key's name. Several keys of one
    /// client (one that writes, one that only reads) name the same client.
    /// </summary>
    public string? Client { get; set; }
}
