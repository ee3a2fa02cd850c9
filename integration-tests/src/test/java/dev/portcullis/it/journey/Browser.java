package dev.portcullis.it.journey;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium driven through Selenium and Debian's chromedriver ({@code chromium} and
 * {@code chromium-driver}, which .ci/run installs). Nothing is downloaded: the browser and the driver are the
 * system's, named by path, so Selenium Manager never runs. Without them the test fails, it does not skip.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private final String name;
    private final ChromeDriver driver;

    private Browser(String name, ChromeDriver driver) {
        this.name = name;
        this.driver = driver;
    }

    static Browser start(String name) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new AssertionError("ConsoleIT needs Debian's chromium and chromium-driver (" + CHROMIUM + ", "
                    + CHROMEDRIVER + "); .ci/run installs them: apt-get install chromium chromium-driver");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                // CI runs as root, where Chromium's sandbox cannot start
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--window-size=1280,1000",
                "--no-first-run",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-sync");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        return new Browser(name, driver);
    }

    WebDriver driver() {
        return driver;
    }

    void open(String url) {
        driver.get(url);
    }

    String url() {
        return driver.getCurrentUrl();
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    /** Waits (polling every 10 ms) until {@code condition} gives a non-null, non-false value. */
    <T> T await(String what, Duration timeout, Function<WebDriver, T> condition) {
        try {
            return new WebDriverWait(driver, timeout, Duration.ofMillis(10))
                    .withMessage(what)
                    .until(condition);
        } catch (RuntimeException e) {
            throw new AssertionError(name + ": " + what + " (at " + driver.getCurrentUrl() + ")", e);
        }
    }

    Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    Object asyncScript(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(js, args);
    }

    /** Signs in on Keycloak's own login page, where the browser has been sent. */
    void signIn(String keycloakUrl, String user, String password) {
        await(
                "Keycloak's login page",
                Duration.ofSeconds(30),
                d -> d.getCurrentUrl().startsWith(keycloakUrl)
                        && !d.findElements(By.id("username")).isEmpty());
        find("#username").sendKeys(user);
        find("#password").sendKeys(password);
        find("#kc-login").click();
    }

    /** The console's OIDC session cookies: {@code q_session}, or its chunks when the tokens do not fit in one. */
    java.util.List<Cookie> sessionCookies() {
        return driver.manage().getCookies().stream()
                .filter(c -> c.getName().startsWith("q_session"))
                .toList();
    }

    /** The browser's cookies for the current origin as one {@code Cookie} header (to ask the console with curl-like calls). */
    String cookieHeader() {
        StringBuilder b = new StringBuilder();
        for (Cookie c : driver.manage().getCookies()) {
            b.append(b.isEmpty() ? "" : "; ").append(c.getName()).append('=').append(c.getValue());
        }
        return b.toString();
    }

    /** A screenshot into {@code dir} (target/…), named after the step that failed. */
    Path screenshot(Path dir, String step) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(step + "-" + name + ".png");
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            Files.writeString(dir.resolve(step + "-" + name + ".html"), driver.getPageSource());
            return file;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * A screenshot of the page for the README ({@code dir}/tour-{@code page}.png): a viewport 1280 px wide and
     * {@code height} px high, or as high as the page up to {@code height} when {@code fullPage}, scrolled to the
     * element {@code scrollTo} (an id; null: as it is); the window stays at that size after it.
     */
    Path tour(Path dir, String page, int height, boolean fullPage, String scrollTo) {
        driver.manage().window().setSize(new Dimension(TOUR_WIDTH, TOUR_HEIGHT));
        // the window's size includes the browser's own frame, even headless: the viewport is what is left of it
        int frameWidth = ((Number) script("return window.outerWidth - window.innerWidth;")).intValue();
        int frameHeight = ((Number) script("return window.outerHeight - window.innerHeight;")).intValue();
        int h = height;
        if (fullPage) {
            long full = ((Number) script("return document.documentElement.scrollHeight;")).longValue();
            h = (int) Math.max(TOUR_HEIGHT, Math.min(full, height));
        }
        driver.manage().window().setSize(new Dimension(TOUR_WIDTH + frameWidth, h + frameHeight));
        if (scrollTo != null) {
            script("document.getElementById(arguments[0]).scrollIntoView({block: 'center'});", scrollTo);
        }
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("tour-" + page + ".png");
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tour's screenshots: a laptop's width and height. */
    static final int TOUR_WIDTH = 1280;

    static final int TOUR_HEIGHT = 800;

    /** What the browser's storage holds: nothing, for a console that keeps its tokens server-side. */
    Map<?, ?> storage() {
        return (Map<?, ?>) script("return {local: Object.keys(window.localStorage).length,"
                + " session: Object.keys(window.sessionStorage).length};");
    }

    @Override
    public void close() {
        driver.quit();
    }
}
