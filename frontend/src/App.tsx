/** The app: one page per route (start, new design, editor, shared view, pipeline check). */
import { lazy, Suspense } from 'react';
import { Home } from './pages/Home';
import { Loading } from './ui/Loading';
import { parseRoute, usePathname } from './router';
import { MessagePage } from './ui/MessagePage';
import { NewDesign } from './pages/NewDesign';

const EditorPage = lazy(() => import('./pages/EditorPage').then((m) => ({ default: m.EditorPage })));
const SharedPage = lazy(() => import('./pages/SharedPage').then((m) => ({ default: m.SharedPage })));
const PipelinePage = lazy(() => import('./pages/PipelinePage').then((m) => ({ default: m.PipelinePage })));
const ExercisesApp = lazy(() => import('./exercises/ExercisesApp').then((m) => ({ default: m.ExercisesApp })));
const ResetPassword = lazy(() => import('./pages/ResetPassword').then((m) => ({ default: m.ResetPassword })));

export function App() {
  const route = parseRoute(usePathname());
  let page;
  switch (route.page) {
    case 'home':
      page = <Home />;
      break;
    case 'new':
      page = <NewDesign />;
      break;
    case 'design':
      page = <EditorPage key={route.id} id={route.id} />;
      break;
    case 'shared':
      page = <SharedPage key={route.token} token={route.token} />;
      break;
    case 'pipeline':
      page = <PipelinePage />;
      break;
    case 'exercises':
      page = <ExercisesApp />;
      break;
    case 'reset':
      page = <ResetPassword uid={route.uid} token={route.token} />;
      break;
    default:
      page = <MessagePage title="No page here" error={`Nothing lives at ${route.path}.`} />;
  }
    // A boundary per page: the page being left is unmounted, not kept hidden behind the fallback.
  return (
    <Suspense key={route.page} fallback={<Loading />}>
      {page}
    </Suspense>
  );
}
