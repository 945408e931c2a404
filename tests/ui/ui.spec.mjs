// Drives Debian's headless Chromium through HomeSec's web UI against a running daemon. Started by
// tests/HomeSec.IntegrationTests/Web/BrowserSpecs.cs, which starts the daemon, the synthetic RTSP camera and a user,
// and passes them in the environment. Exits 0 when every step passed; screenshots go to HOMESEC_ARTIFACTS.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { copyFile, mkdir, rename } from 'node:fs/promises';
import path from 'node:path';

const env = (name) => { const value = process.env[name]; if (!value) throw new Error(`${name} is not set`); return value; };
const base = env('HOMESEC_URL');
const user = env('HOMESEC_USER');
const password = env('HOMESEC_PASSWORD');
const watchDir = env('HOMESEC_WATCH_DIR');
const sourceClip = env('HOMESEC_CLIP');
const liveCamera = env('HOMESEC_LIVE_CAMERA');
const artifacts = env('HOMESEC_ARTIFACTS');
await mkdir(artifacts, { recursive: true });

const step = (name) => console.log(`step: ${name}`);
const shot = (page, name) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });

const browser = await chromium.launch({
  executablePath: process.env.HOMESEC_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const problems = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => { if (message.type() === 'error' && !/401|404/.test(message.text())) problems.push(`console: ${message.text()}`); });

  step('a page without a session goes to the login');
  await page.goto(base + '/');
  assert.match(new URL(page.url()).pathname, /^\/login$/);
  await shot(page, '01-login');

  step('a wrong password is refused with a message');
  await page.fill('input[name=user]', user);
  await page.fill('input[name=password]', 'not-the-password');
  await page.click('button[type=submit]');
  await page.waitForSelector('.login .error');

  step('log in');
  await page.fill('input[name=user]', user);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.click('button[type=submit]')]);
  await page.waitForFunction(() => document.documentElement.dataset.live === 'connected');
  await shot(page, '02-review-empty');

  step('a clip dropped into the watched folder appears without a reload');
  await page.evaluate(() => { window.__sameDocument = true; });
  const staging = path.join(watchDir, '..', 'arriving.mp4.partial');
  await copyFile(sourceClip, staging);
  await rename(staging, path.join(watchDir, 'arriving.mp4'));
  const card = page.locator('article.clip').first();
  await card.waitFor({ timeout: 60_000 });
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page reloaded instead of updating');
  await page.locator('article.clip .upload.ok').first().waitFor({ timeout: 60_000 }); // the row updates as the clip is stored
  await shot(page, '03-review-arrived');

  step('open the clip; the video plays');
  await Promise.all([page.waitForURL(/\/clips\//), card.locator('h2 a').click()]);
  const video = page.locator('video#player');
  await video.waitFor();
  await page.evaluate(() => { const v = document.querySelector('video#player'); v.muted = true; return v.play(); });
  await page.waitForFunction(() => document.querySelector('video#player').currentTime > 0.5, null, { timeout: 20_000 });
  const played = await page.evaluate(() => document.querySelector('video#player').currentTime);
  console.log(`video played to ${played.toFixed(2)} s`);
  await shot(page, '04-clip');

  step('filter by camera');
  await page.goto(base + '/');
  await page.selectOption('select[name=camera]', 'front_door');
  await Promise.all([page.waitForURL(/camera=front_door/), page.click('.filters button[type=submit]')]);
  assert.ok(await page.locator('article.clip').count() >= 1, 'the front_door clip is listed');
  await page.selectOption('select[name=camera]', liveCamera);
  await Promise.all([page.waitForURL(new RegExp(`camera=${liveCamera}`)), page.click('.filters button[type=submit]')]);
  assert.equal(await page.locator('article.clip').count(), 0, `no clip of ${liveCamera} is listed`);
  await page.locator('#no-clips').waitFor();

  step('the live camera tile refreshes');
  await page.goto(base + '/cameras');
  const tile = page.locator(`#camera-${liveCamera} img.live`);
  await tile.waitFor();
  await page.waitForFunction((name) => {
    const img = document.querySelector(`#camera-${name} img.live`);
    return img && Number(img.dataset.frame || 0) >= 2 && img.naturalWidth > 0;
  }, liveCamera, { timeout: 30_000 });
  await shot(page, '05-cameras');

  step('the system page shows the components');
  await page.goto(base + '/system');
  await page.locator('.system .card').first().waitFor();
  const systemText = await page.locator('.system').innerText();
  assert.match(systemText, /State store/);
  assert.match(systemText, /front_door/);
  await shot(page, '06-system');

  step('set the armed mode from the system page');
  await page.selectOption('#mode', 'away');
  await Promise.all([
    page.waitForResponse((response) => new URL(response.url()).pathname === '/system' && response.request().method() === 'GET'),
    page.click('.mode-form button'),
  ]);
  assert.equal(await page.locator('#mode').inputValue(), 'away');

  step('log out');
  await Promise.all([page.waitForURL(/\/login/), page.click('.logout button')]);
  await page.goto(base + '/');
  assert.match(new URL(page.url()).pathname, /^\/login$/);

  step('a phone viewport: log in, the list fits the screen');
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const mobile = await phone.newPage();
  await mobile.goto(base + '/');
  await mobile.fill('input[name=user]', user);
  await mobile.fill('input[name=password]', password);
  await Promise.all([mobile.waitForURL((url) => url.pathname === '/'), mobile.click('button[type=submit]')]);
  await mobile.locator('article.clip').first().waitFor();
  const overflow = await mobile.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page is ${overflow}px wider than the phone`);
  await shot(mobile, '07-phone-review');
  await phone.close();

  assert.deepEqual(problems, [], 'the pages logged errors');
  console.log('ui: all steps passed');
} finally {
  await browser.close();
}
