using System.Security.Cryptography;
using System.Text;

namespace Payouts.Bus.Persistence.Access;

/// <summary>The one way keys are hashed, for stored and configured keys alike.</summary>
public static class ApiKeyHash
{
    public static string Of(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>A new key: 32 random bytes, URL-safe, with a prefix that says what it is when it turns up in a log or a leak scan.</summary>
    public static string NewKey() => "pbk_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
