using Microsoft.EntityFrameworkCore;

namespace Payouts.Bus.Persistence.Access;

/// <summary>API keys kept in the database: made, listed, revoked, and found by the hash of a presented key.</summary>
public sealed class ApiKeyStore(PayoutsDbContext db, TimeProvider clock)
{
    /// <returns>The key itself: shown to whoever made it, once; only its hash is stored.</returns>
    public async Task<string> CreateAsync(string name, string scopes, CancellationToken cancellationToken)
    {
        var key = ApiKeyHash.NewKey();
        db.Set<ApiKey>().Add(new ApiKey { Name = name, KeyHash = ApiKeyHash.Of(key), Scopes = scopes, CreatedAt = clock.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync(cancellationToken);
        return key;
    }

    public Task<List<ApiKey>> ListAsync(CancellationToken cancellationToken) =>
        db.Set<ApiKey>().AsNoTracking().OrderBy(k => k.Name).ToListAsync(cancellationToken);

    /// <returns>False when no key has that name.</returns>
    public async Task<bool> RevokeAsync(string name, CancellationToken cancellationToken) =>
        await db.Set<ApiKey>().Where(k => k.Name == name && k.RevokedAt == null)
            .ExecuteUpdateAsync(k => k.SetProperty(x => x.RevokedAt, clock.GetUtcNow().UtcDateTime), cancellationToken) > 0
        || await db.Set<ApiKey>().AnyAsync(k => k.Name == name, cancellationToken);

    public Task<bool> AnyAsync(CancellationToken cancellationToken) => db.Set<ApiKey>().AnyAsync(cancellationToken);

    /// <summary>
    /// Records that the key was presented. Written at most once a minute per key, so that a busy
    /// client does not add a write to every call.
    /// </summary>
    public async Task RecordUseAsync(ApiKey key, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (key.LastUsedAt is { } last && now - last < TimeSpan.FromMinutes(1))
            return;
        await db.Set<ApiKey>().Where(k => k.Name == key.Name)
            .ExecuteUpdateAsync(k => k.SetProperty(x => x.LastUsedAt, now), cancellationToken);
    }

    /// <summary>The live (not revoked) key with this hash, if any.</summary>
    public Task<ApiKey?> FindAsync(string keyHash, CancellationToken cancellationToken) =>
        db.Set<ApiKey>().AsNoTracking().FirstOrDefaultAsync(k => k.KeyHash == keyHash && k.RevokedAt == null, cancellationToken);
}
