using System.Diagnostics;
using System.Text;

namespace Payouts.Bus.Tests.Support;

/// <summary>
/// The real host as a separate operating-system process, so that it can be killed like a crash
/// (SIGKILL: no shutdown, no flushing) and started again on the same database.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HostProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public static async Task<HostProcess> StartAsync(Uri url, IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Payouts.Bus.Host.dll"));
        start.ArgumentList.Add($"--urls={url}");
        foreach (var (key, value) in settings)
            start.ArgumentList.Add($"--{key}={value}");
        var host = new HostProcess(Process.Start(start)!);

        using var http = new HttpClient { BaseAddress = url };
        await Eventually.Until(async () =>
        {
            if (host._process.HasExited)
            {
                // HasExited can be true before the redirected output is read to its end; this waits for both.
                await host._process.WaitForExitAsync();
                throw new InvalidOperationException($"The host exited with {host._process.ExitCode}:\n{host.Output}");
            }
            try
            {
                using var response = await http.GetAsync("/health/ready");
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, ready => ready, "the host to be ready");
        return host;
    }

    /// <summary>Kills the process at once, as a crash would.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
            await KillAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }
}
