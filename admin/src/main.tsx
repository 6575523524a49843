import 'bootstrap/dist/css/bootstrap.min.css';
import { render } from 'preact';
import { App } from './App';

render(<App />, document.getElementById('app')!);
