/** Browser entry point: mounts the app shell. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element to mount ScaleLab into.');

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
