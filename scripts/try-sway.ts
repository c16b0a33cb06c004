import { startSwaySession } from './harness/sway-session.js';
void (async () => {
  const s = await startSwaySession({ outputs: 2 });
  console.log(s.env);
  console.log(await s.swaymsg('-t', 'get_outputs', '-r'));
  await s.screenshot('/tmp/try/shot.png');
  await s.stop();
  console.log('stopped');
})();
