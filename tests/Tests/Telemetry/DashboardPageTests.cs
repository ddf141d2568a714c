using Microsoft.Playwright;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Telemetry;

/// <summary><c>/dashboard</c> in a real headless Chromium (Debian's: Playwright cannot download its own here).</summary>
[Collection(TelemetryCollection.Name)]
public sealed class DashboardPageTests(TelemetryHostFixture host)
{
    [Fact]
    public async Task Dashboard_shows_payouts_by_state_and_provider_failures_and_updates_live()
    {
        var failing = PayoutsHostFixture.Sample("thedex");
        failing["destination"] = PayoutsHostFixture.FailingAddress;
        await host.WaitForStatusAsync(await host.RequestAsync(failing), "Failed");
        await host.WaitForStatusAsync(await host.RequestAsync(PayoutsHostFixture.Sample("dfns")), "AwaitingConfirmation");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("PAYOUTS_TEST_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            // This machine's network is closed: keep Chromium from calling home at every start.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions
        {
            ViewportSize = new ViewportSize { Width = 1400, Height = 1000 },
            // What a browser sends once the operator typed the key into its Basic prompt.
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Authorization"] = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("operator:" + TestApiKeys.Everything)) },
        });
        await page.GotoAsync($"{host.Http.BaseAddress}dashboard");

        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("live");
        await Assertions.Expect(page.Locator("#counts td[data-provider='Dfns'][data-state='AwaitingConfirmation']")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[1-9][0-9]*$"));
        // Ended in the last minute: OxaPay, which no other test of this host pays, so the count is ours.
        var completedOxaPay = page.Locator("#throughput td[data-provider='OxaPay'][data-state='Completed']");
        var before = int.Parse(await CountOrZeroAsync(completedOxaPay));
        await Assertions.Expect(page.Locator("#failures")).ToContainTextAsync("provider_failed");

        // A payout that completes while the page is open appears without a reload.
        await host.WaitForStatusAsync(await host.RequestAsync(PayoutsHostFixture.Sample("oxapay")), "Completed");
        await Assertions.Expect(completedOxaPay).ToHaveTextAsync((before + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            new LocatorAssertionsToHaveTextOptions { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#providers")).ToContainTextAsync("TheDex");

        var artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(artifacts);
        var screenshot = Path.Combine(artifacts, "dashboard.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot shows a rendered page");
    }

    private static async Task<string> CountOrZeroAsync(ILocator cell) => await cell.CountAsync() == 0 ? "0" : await cell.InnerTextAsync();
}
