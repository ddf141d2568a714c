using System.ComponentModel.DataAnnotations;

namespace Payouts.Bus.Persistence;

/// <summary>Configuration section <c>Database</c>, with the connection string <c>ConnectionStrings:Payouts</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";
    public const string ConnectionStringName = "Payouts";

    /// <summary>
    /// <c>Sqlite</c> (the embedded default, a file under ./data/), <c>Postgres</c> (production) or
    /// <c>SqlServer</c> (see the README for what is verified of it).
    /// </summary>
    [Required, AllowedValues(DatabaseProvider.Sqlite, DatabaseProvider.Postgres, DatabaseProvider.SqlServer)]
    public string Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending schema migrations when the host starts (also: <c>dotnet run --project src/Host -- migrate</c>).</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>How often due scheduled messages are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan DeliveryInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long a consumed message's inbox row is kept: a redelivery of the same message within
    /// this window is recognised and not consumed again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The most connections this host opens to a PostgreSQL or SQL Server database (its pool's
    /// maximum; overrides <c>Max Pool Size</c> in the connection string). Keep the sum over all hosts
    /// well under the server's <c>max_connections</c> (PostgreSQL's default is 100): a host that asks
    /// for more than the server has is refused (<c>53300 too many clients</c>) instead of waiting.
    /// When the pool is exhausted, callers get 503 with Retry-After, never 500.
    /// </summary>
    [Range(2, 1000)]
    public int MaxPoolSize { get; set; } = 20;
}

public static class DatabaseProvider
{
    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";
    public const string SqlServer = "SqlServer";

    /// <summary>The embedded default: a SQLite file beside the process, created on first run.</summary>
    public const string DefaultSqliteConnectionString = "Data Source=data/payouts.db";
}
