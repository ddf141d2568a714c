using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Payouts.Bus.Persistence;

namespace Payouts.Bus.Tests.Persistence;

/// <summary>
/// SQL Server where no SQL Server runs: every statement the dialect sends and every migration script
/// parses with Microsoft's own T-SQL parser, and the EF model maps onto exactly the scripts' columns,
/// money at decimal(38, 18). (Syntax and shape only; the persistence suite runs against a real server
/// when PAYOUTS_TEST_SQLSERVER names one.)
/// </summary>
public sealed partial class SqlServerDialectTests
{
    public static TheoryData<string> Statements => [.. SqlServerStatements.All];

    public static TheoryData<string> Scripts => [.. MigrationScripts().Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(Statements))]
    public void Dialect_statement_parses_as_TSql(string statement)
    {
        var withParameters = Placeholder().Replace(statement, m => "@p" + m.Groups[1].Value);

        Assert.Empty(ParseErrors(withParameters));
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Migration_script_parses_as_TSql(string name)
    {
        Assert.Empty(ParseErrors(MigrationScripts().Single(s => s.Name == name).Sql));
    }

    [Fact]
    public void EF_model_maps_onto_exactly_the_scripts_columns_with_money_at_full_precision()
    {
        var scripted = new ScriptedColumns();
        foreach (var (_, sql) in MigrationScripts())
            new TSql170Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out _).Accept(scripted);
        using var db = new PayoutsDbContext(new DbContextOptionsBuilder<PayoutsDbContext>()
            .UseSqlServer("Server=unused;Database=unused").Options);

        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!);
            var mapped = entity.GetProperties().ToDictionary(p => p.GetColumnName(table)!, p => p);
            Assert.True(scripted.Tables.TryGetValue(table.Name, out var columns), $"no script creates {table.Name}");
            Assert.Equal(columns.Keys.Order(), mapped.Keys.Order());
            foreach (var (column, property) in mapped.Where(m => (Nullable.GetUnderlyingType(m.Value.ClrType) ?? m.Value.ClrType) == typeof(decimal)))
            {
                Assert.Equal("decimal(38,18)", columns[column]);
                Assert.Equal("decimal(38,18)", property.GetColumnType().Replace(" ", "", StringComparison.Ordinal));
            }
        }
    }

    private static IList<ParseError> ParseErrors(string sql)
    {
        new TSql170Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
        return errors;
    }

    private static IEnumerable<(string Name, string Sql)> MigrationScripts()
    {
        var assembly = typeof(PayoutsDbContext).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("migrations/SqlServer/", StringComparison.Ordinal)).Order())
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            yield return (name, reader.ReadToEnd());
        }
    }

    [GeneratedRegex(@"\{(\d+)\}")]
    private static partial Regex Placeholder();

    /// <summary>Table → column → type, from CREATE TABLE and ALTER TABLE … ADD.</summary>
    private sealed class ScriptedColumns : TSqlFragmentVisitor
    {
        public Dictionary<string, Dictionary<string, string>> Tables { get; } = [];

        public override void Visit(CreateTableStatement node) => Add(node.SchemaObjectName, node.Definition.ColumnDefinitions);

        public override void Visit(AlterTableAddTableElementStatement node) => Add(node.SchemaObjectName, node.Definition.ColumnDefinitions);

        private void Add(SchemaObjectName table, IEnumerable<ColumnDefinition> columns)
        {
            var known = Tables.TryGetValue(table.BaseIdentifier.Value, out var existing) ? existing : Tables[table.BaseIdentifier.Value] = [];
            foreach (var column in columns)
                known[column.ColumnIdentifier.Value] = TypeOf(column.DataType);
        }

        private static string TypeOf(DataTypeReference type) => type is SqlDataTypeReference sql
            ? sql.SqlDataTypeOption.ToString().ToLowerInvariant() +
              (sql.Parameters.Count == 0 ? "" : "(" + string.Join(",", sql.Parameters.Select(p => p.Value)) + ")")
            : type.Name.BaseIdentifier.Value;
    }
}
