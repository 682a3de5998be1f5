import { mount } from 'svelte';
import App from './App.svelte';
import { EngineSession } from './lib/engine-session.svelte';
import { connectEngine } from './lib/transport';
import { setLanguage } from './i18n/translate';
import './styles/theme.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

// <html lang> from the system's languages until the saved setting arrives.
setLanguage(undefined);
const session = new EngineSession(() => connectEngine());
mount(App, { target, props: { session } });
void session.start();
