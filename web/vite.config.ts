import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { sveltekit } from '@sveltejs/kit/vite';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [
		// The compiler runs before the unit tests too (its watcher kept vitest from exiting).
		...(process.env.VITEST_NO_PARAGLIDE ? [] : [paraglideVitePlugin({
			project: './project.inlang',
			outdir: './src/lib/paraglide',
			// The app has no server side: the language comes from the profile once signed in
			// (kept in localStorage), before that from the browser.
			strategy: ['localStorage', 'preferredLanguage', 'baseLocale']
		})]),
		sveltekit(),
		svelteTesting()
	],
	server: {
		proxy: {
			'/api': 'http://127.0.0.1:8000',
			'/socket.io': { target: 'http://127.0.0.1:8000', ws: true }
		}
	},
	build: { reportCompressedSize: false },
	test: {
		environment: 'jsdom',
		include: ['tests/**/*.test.ts'],
		setupFiles: ['tests/setup.ts']
	}
});
